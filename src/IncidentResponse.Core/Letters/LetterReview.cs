using IncidentResponse.Core.Identity;

namespace IncidentResponse.Core.Letters;

public enum LetterStatus
{
    Draft,
    InReview,
    ChangesRequested,
    Approved,
    Released,
}

public enum ReviewAction
{
    Revise,
    Submit,
    RequestChanges,
    Approve,
    Release,
}

/// <summary>One row of the review table: from a status, an action by someone holding the permission leads to a status.</summary>
public sealed record ReviewTransition(LetterStatus From, ReviewAction Action, LetterStatus To, Permission Permission);

public enum ReviewRefusal
{
    /// <summary>The action does not exist from this status (a released letter never changes).</summary>
    NotNow,

    /// <summary>The person lacks the permission the row demands.</summary>
    NotPermitted,

    /// <summary>Approval of a letter whose latest check reports something missing or forbidden.</summary>
    CheckFailed,
}

/// <summary>The review's answer: the next status, or why not.</summary>
public sealed record ReviewDecision(LetterStatus? To, ReviewRefusal? Refusal, string? Reason)
{
    public bool Allowed => To is not null;
}

/// <summary>
/// A letter's review lifecycle as a table: draft, in review, changes requested, approved, released. A new version sends
/// an approved or in-review letter back to draft; approval needs a passing check; a released letter is final.
/// </summary>
public static class LetterReview
{
    public static readonly IReadOnlyList<ReviewTransition> Table =
    [
        new(LetterStatus.Draft, ReviewAction.Revise, LetterStatus.Draft, Permission.DraftLetters),
        new(LetterStatus.InReview, ReviewAction.Revise, LetterStatus.Draft, Permission.DraftLetters),
        new(LetterStatus.ChangesRequested, ReviewAction.Revise, LetterStatus.Draft, Permission.DraftLetters),
        new(LetterStatus.Approved, ReviewAction.Revise, LetterStatus.Draft, Permission.DraftLetters),
        new(LetterStatus.Draft, ReviewAction.Submit, LetterStatus.InReview, Permission.DraftLetters),
        new(LetterStatus.InReview, ReviewAction.RequestChanges, LetterStatus.ChangesRequested, Permission.ApproveLetters),
        new(LetterStatus.InReview, ReviewAction.Approve, LetterStatus.Approved, Permission.ApproveLetters),
        new(LetterStatus.Approved, ReviewAction.Release, LetterStatus.Released, Permission.ReleaseLetters),
    ];

    public static ReviewDecision Decide(LetterStatus from, ReviewAction action, IEnumerable<Role> roles, bool checkPassed)
    {
        var row = Table.FirstOrDefault(t => t.From == from && t.Action == action);
        if (row is null)
        {
            var allowed = Table.Where(t => t.From == from).Select(t => t.Action.ToString().ToCamelCase()).ToList();
            return new ReviewDecision(null, ReviewRefusal.NotNow, from == LetterStatus.Released
                ? "A released letter cannot change."
                : $"A letter that is {from.ToString().ToCamelCase()} cannot be {Past(action)}; allowed now: {string.Join(", ", allowed)}.");
        }

        if (!Permissions.Allows(roles, row.Permission))
        {
            return new ReviewDecision(null, ReviewRefusal.NotPermitted,
                $"'{action.ToString().ToCamelCase()}' needs the {row.Permission.ToString().ToCamelCase()} permission " +
                $"({string.Join(", ", Permissions.RolesWith(row.Permission).Select(r => r.ToString().ToCamelCase()))}).");
        }

        if (action == ReviewAction.Approve && !checkPassed)
        {
            return new ReviewDecision(null, ReviewRefusal.CheckFailed,
                "The latest version fails the content check: what is missing or forbidden must be fixed before approval.");
        }

        return new ReviewDecision(row.To, null, null);
    }

    private static string Past(ReviewAction action) => action switch
    {
        ReviewAction.Revise => "revised",
        ReviewAction.Submit => "submitted",
        ReviewAction.RequestChanges => "sent back for changes",
        ReviewAction.Approve => "approved",
        _ => "released",
    };
}
