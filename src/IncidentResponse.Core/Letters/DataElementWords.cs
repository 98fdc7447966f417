using IncidentResponse.Core.Laws;

namespace IncidentResponse.Core.Letters;

/// <summary>
/// How letters name each data element: the plain words the generator writes, and the wordings the checker accepts
/// (an alternative with "+" needs all of its parts in the letter).
/// </summary>
public static class DataElementWords
{
    private static readonly Dictionary<DataElement, (string Plain, string[] Accepted)> Words = new()
    {
        [DataElement.Name] = ("name", ["name"]),
        [DataElement.Ssn] = ("Social Security number", ["social security number", "social security no", "ssn"]),
        [DataElement.DriversLicenseOrStateId] = ("driver's license or state identification card number",
            ["driver's license", "drivers license", "driver license", "driver's licence", "state identification", "state id"]),
        [DataElement.Passport] = ("passport number", ["passport"]),
        [DataElement.MilitaryId] = ("military identification number", ["military identification", "military id"]),
        [DataElement.TaxpayerId] = ("taxpayer identification number", ["taxpayer identification", "tax identification number", "itin"]),
        [DataElement.OtherGovernmentId] = ("government-issued identification number", ["government-issued identification", "government identification", "government id"]),
        [DataElement.FinancialAccount] = ("financial account number", ["account number", "bank account"]),
        [DataElement.FinancialAccountWithAccessCode] = ("financial account number with the access code or password for the account",
            ["account number+access code", "account number+password", "account number+pin", "account number+security code"]),
        [DataElement.PaymentCard] = ("credit or debit card number", ["card number", "payment card"]),
        [DataElement.PaymentCardWithAccessCode] = ("credit or debit card number with its security code, access code or PIN",
            ["card number+security code", "card number+access code", "card number+pin", "card number+password"]),
        [DataElement.UsernameOrEmailWithPassword] = ("username or email address with the password for the account",
            ["username+password", "user name+password", "email address+password", "login credentials"]),
        [DataElement.SecurityQuestionAndAnswer] = ("security questions and answers", ["security question"]),
        [DataElement.Medical] = ("medical information", ["medical", "health information"]),
        [DataElement.HealthInsurance] = ("health insurance information", ["health insurance", "insurance policy number", "subscriber number"]),
        [DataElement.Biometric] = ("biometric data", ["biometric", "fingerprint"]),
        [DataElement.GeneticData] = ("genetic data", ["genetic"]),
        [DataElement.DateOfBirth] = ("date of birth", ["date of birth", "birth date", "birthdate"]),
        [DataElement.MothersMaidenName] = ("mother's maiden name", ["maiden name"]),
        [DataElement.DigitalSignature] = ("electronic or digital signature", ["digital signature", "electronic signature"]),
        [DataElement.EmailAddress] = ("email address", ["email address", "e-mail address"]),
        [DataElement.PostalAddress] = ("postal address", ["postal address", "mailing address", "home address", "street address"]),
        [DataElement.PhoneNumber] = ("telephone number", ["telephone number", "phone number"]),
        [DataElement.DeviceIdentifier] = ("device identifier", ["device identifier", "device id"]),
        [DataElement.PreciseGeolocation] = ("precise geolocation data", ["geolocation", "location data", "location information"]),
    };

    /// <summary>The words a letter uses for the element ("Social Security number").</summary>
    public static string Plain(DataElement element) => Words[element].Plain;

    /// <summary>The wordings the checker accepts; parts joined with "+" must all appear.</summary>
    public static IReadOnlyList<string> Accepted(DataElement element) => Words[element].Accepted;
}
