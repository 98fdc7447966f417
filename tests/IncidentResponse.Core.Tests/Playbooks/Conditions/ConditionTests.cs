using System.Text.RegularExpressions;
using CsCheck;
using IncidentResponse.Core.Incidents;
using IncidentResponse.Core.Laws;
using IncidentResponse.Core.Playbooks;
using IncidentResponse.Core.Playbooks.Conditions;

namespace IncidentResponse.Core.Tests.Playbooks.Conditions;

public sealed class ConditionTests
{
    /// <summary>Incident state for the evaluation tests; unknown paths are null. Records what was read, in order.</summary>
    private sealed class Scope : IConditionScope
    {
        private readonly Dictionary<ConditionPath, ConditionValue> values = new()
        {
            [new("incident", "kind")] = ConditionValue.Of("ransomware"),
            [new("incident", "isExercise")] = ConditionValue.Of(false),
            [new("facts", "dataElements")] = ConditionValue.Of(["name", "ssn"]),
            [new("facts", "residentsTotal")] = ConditionValue.Of(1500),
            [new("facts", "encrypted")] = ConditionValue.Null,
            [new("facts", "jurisdictions")] = ConditionValue.Of(Array.Empty<string>()),
            [new("entity", "secRegistrant")] = ConditionValue.Of(true),
            [new("entity", "dataOwner")] = ConditionValue.Of(false),
            [new("decisions", "le-decision")] = ConditionValue.Of("contact"),
            [new("decisions", "breach-determination")] = ConditionValue.Null,
            [new("decisions", "quote")] = ConditionValue.Of("it's a \\ test"),
            [new("obligations", "count")] = ConditionValue.Of(3),
            [new("obligations", "individuals")] = ConditionValue.Of(true),
        };

        public List<ConditionPath> Read { get; } = [];

        public ConditionValue Resolve(ConditionPath path)
        {
            Read.Add(path);
            return values.GetValueOrDefault(path);
        }
    }

    private static readonly PlaybookConditionCatalog Library = new(new Dictionary<string, IReadOnlyList<string>>
    {
        ["le-decision"] = ["contact", "defer"],
        ["breach-determination"] = ["breach", "breach-harm-not-likely", "no-breach"],
    });

    // ---------------------------------------------------------------- parsing

    [Theory]
    [InlineData("decisions['breach-determination'] in ['breach', 'breach-harm-not-likely']")]
    [InlineData("(facts.dataElements contains 'ssn' || facts.dataElements contains 'driversLicenseOrStateId') && decisions['breach-determination'] != 'no-breach'")]
    [InlineData("entity.secRegistrant")]
    [InlineData("incident.kind == 'credentialStuffing' || facts.dataElements contains 'usernameOrEmailWithPassword'")]
    [InlineData("obligations.count > 0")]
    [InlineData("  facts . residentsTotal\t>=\n-12.50  ")]
    [InlineData("!(incident.kind == 'insider')")]
    [InlineData("!!entity['secRegistrant']")]
    [InlineData("x.y in []")]
    [InlineData("x.y in [null, true, false, 1, -2.5, 'a']")]
    [InlineData("['a', 'b'] contains 'a'")]
    [InlineData("x.y == 'it\\'s \\\\ fine'")]
    [InlineData("x.in == x.contains")] // keywords are fine as names after a dot
    [InlineData("x['a b.c'] == null")]
    [InlineData("true")]
    public void Valid_conditions_parse(string text)
    {
        var condition = Condition.Parse(text);
        Assert.Equal(text, condition.Text);
    }

    [Theory]
    [InlineData("(entity.dataOwner", "expected ')' at position 17")]
    [InlineData("a.b & c.d", "unknown character '&' at position 4 (did you mean '&&'?)")]
    [InlineData("a.b | c.d", "unknown character '|' at position 4 (did you mean '||'?)")]
    [InlineData("a.b = 'x'", "unknown character '=' at position 4 (did you mean '=='?)")]
    [InlineData("a.b == \"x\"", "unknown character '\"' at position 7 (string literals take single quotes)")]
    [InlineData("a.b # c", "unknown character '#' at position 4")]
    [InlineData("a.b\u0001", "unknown character U+0001 at position 3")]
    [InlineData("a.bc == 'x", "unterminated string at position 8")]
    [InlineData("a.b == 'x\\", "unterminated string at position 7")]
    [InlineData("a.b == 'x\\n'", "unknown escape '\\n' in a string; only \\' and \\\\ are allowed at position 9")]
    [InlineData("decisions.le-decision == 'contact'", "a hyphen cannot appear in a dotted name; write decisions['le-decision'] at position 10")]
    [InlineData("x.y && decisions.step-2", "a hyphen cannot appear in a dotted name; write decisions['step-2'] at position 17")]
    [InlineData("", "expected a path, a literal or '(' at position 0")]
    [InlineData("   ", "expected a path, a literal or '(' at position 3")]
    [InlineData("!", "expected a path, a literal or '(' at position 1")]
    [InlineData("a.b ==", "expected a path, a literal or '(' at position 6")]
    [InlineData("a.b && ", "expected a path, a literal or '(' at position 7")]
    [InlineData("a.b && || c.d", "expected a path, a literal or '(' at position 7")]
    [InlineData("a.b == 'x' == 'y'", "comparisons do not chain; combine them with '&&' or use parentheses at position 11")]
    [InlineData("a.b == 'x' in ['y']", "comparisons do not chain; combine them with '&&' or use parentheses at position 11")]
    [InlineData("1 < a.b < 3", "comparisons do not chain; combine them with '&&' or use parentheses at position 8")]
    [InlineData("a.b in 'x'", "expected a list such as ['a', 'b'] after 'in' at position 7")]
    [InlineData("a.b in ['x', b.c]", "expected a literal in the list at position 13")]
    [InlineData("a.b in ['x',]", "expected a literal in the list at position 12")]
    [InlineData("a.b in ['x' 'y']", "expected ',' or ']' at position 12")]
    [InlineData("a.b contains c.d", "expected a literal after 'contains' at position 13")]
    [InlineData("[1, 'a'] contains 'a'", "a list used as a value holds only strings, not 1 at position 1")]
    [InlineData("foo", "expected '.' or '[' after 'foo' at position 3")]
    [InlineData("a.b and c.d", "unexpected 'and' at position 4 (did you mean '&&'?)")]
    [InlineData("a.b or c.d", "unexpected 'or' at position 4 (did you mean '||'?)")]
    [InlineData("not a.b", "unexpected 'not' at position 0 (did you mean '!'?)")]
    [InlineData("True", "unexpected 'True' at position 0 (keywords are lower-case: true)")]
    [InlineData("a.b == 'x')", "unexpected ')' at position 10")]
    [InlineData("a.b c.d", "unexpected 'c' at position 4")]
    [InlineData("a. == 1", "expected a name after '.' at position 3")]
    [InlineData("a.9 == 1", "expected a name after '.' at position 2")]
    [InlineData("a[b] == 1", "expected a quoted name such as ['le-decision'] after '[' at position 2")]
    [InlineData("a['b' == 1", "expected ']' at position 6")]
    [InlineData("a[''] == 1", "a path name cannot be empty at position 2")]
    [InlineData("a.b == 1.", "expected a digit after the decimal point at position 9")]
    [InlineData("a.b > - 1", "unknown character '-' at position 6")]
    [InlineData("a.b == 99999999999999999999999999999999", "number 99999999999999999999999999999999 is out of range at position 7")]
    public void Invalid_conditions_are_syntax_errors_with_a_position(string text, string message)
    {
        var error = Assert.Throws<ConditionSyntaxException>(() => Condition.Parse(text));
        Assert.Equal(message, error.Message);
        Assert.Contains($"at position {error.Position}", error.Message, StringComparison.Ordinal);
        Assert.StartsWith(error.Reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_is_bounded_instead_of_overflowing_the_stack()
    {
        Condition.Parse(new string('(', 64) + "a.b" + new string(')', 64));
        var error = Assert.Throws<ConditionSyntaxException>(() => Condition.Parse(new string('(', 10_000) + "a.b" + new string(')', 10_000)));
        Assert.Equal(64, error.Position);
        Assert.Contains("nested too deeply", error.Message, StringComparison.Ordinal);
        Assert.Throws<ConditionSyntaxException>(() => Condition.Parse(new string('!', 10_000) + "a.b"));
    }

    [Fact]
    public void Long_flat_chains_parse_and_evaluate()
    {
        var condition = Condition.Parse(string.Join(" && ", Enumerable.Repeat("entity.secRegistrant", 20_000)));
        Assert.True(condition.Evaluate(new Scope()));
        Assert.Single(condition.Paths);
    }

    // ---------------------------------------------------------------- evaluation

    [Theory]
    // literals and paths
    [InlineData("true", true)]
    [InlineData("false", false)]
    [InlineData("null", false)]
    [InlineData("entity.secRegistrant", true)]
    [InlineData("entity['secRegistrant']", true)]
    [InlineData("entity.dataOwner", false)]
    [InlineData("((((entity.secRegistrant))))", true)]
    // == and !=
    [InlineData("incident.kind == 'ransomware'", true)]
    [InlineData("'ransomware' == incident.kind", true)]
    [InlineData("incident.kind != 'ransomware'", false)]
    [InlineData("incident.kind == 'Ransomware'", false)]
    [InlineData("decisions['le-decision'] == 'contact'", true)]
    [InlineData("decisions['quote'] == 'it\\'s a \\\\ test'", true)]
    [InlineData("facts.residentsTotal == 1500", true)]
    [InlineData("facts.residentsTotal == 1500.00", true)]
    [InlineData("facts.residentsTotal == '1500'", false)]
    [InlineData("facts.residentsTotal != '1500'", true)]
    [InlineData("entity.secRegistrant == true", true)]
    [InlineData("entity.secRegistrant == 'true'", false)]
    [InlineData("facts.dataElements == ['name', 'ssn']", true)]
    [InlineData("facts.dataElements == ['ssn', 'name']", false)]
    [InlineData("facts.jurisdictions == []", true)]
    [InlineData("1 == 1.0", true)]
    [InlineData("-0 == 0", true)]
    // null
    [InlineData("null == null", true)]
    [InlineData("facts.encrypted == null", true)]
    [InlineData("facts.encrypted != null", false)]
    [InlineData("facts.encrypted == false", false)]
    [InlineData("facts.encrypted != false", true)]
    [InlineData("decisions['breach-determination'] == 'breach'", false)]
    [InlineData("decisions['breach-determination'] != 'no-breach'", true)]
    [InlineData("decisions.unknown == null", true)]
    // ordering
    [InlineData("facts.residentsTotal > 1000", true)]
    [InlineData("facts.residentsTotal > 1500", false)]
    [InlineData("facts.residentsTotal >= 1500", true)]
    [InlineData("facts.residentsTotal < 1500", false)]
    [InlineData("facts.residentsTotal < 1500.5", true)]
    [InlineData("facts.residentsTotal <= 1500", true)]
    [InlineData("facts.residentsTotal > -1", true)]
    [InlineData("-1.5 < -1", true)]
    [InlineData("obligations.count > 0", true)]
    [InlineData("incident.kind > 'a'", false)]
    [InlineData("incident.kind < 'z'", false)]
    [InlineData("facts.encrypted < 1", false)]
    [InlineData("facts.encrypted >= 0", false)]
    [InlineData("!(facts.encrypted < 1)", true)]
    [InlineData("true > false", false)]
    // in
    [InlineData("incident.kind in ['dataExfiltration', 'ransomware']", true)]
    [InlineData("incident.kind in ['dataExfiltration']", false)]
    [InlineData("incident.kind in []", false)]
    [InlineData("decisions['breach-determination'] in ['breach', 'no-breach']", false)]
    [InlineData("decisions['breach-determination'] in ['breach', null]", true)]
    [InlineData("facts.residentsTotal in [1, 1500]", true)]
    [InlineData("facts.residentsTotal in ['1500']", false)]
    [InlineData("entity.secRegistrant in [true]", true)]
    // contains
    [InlineData("facts.dataElements contains 'ssn'", true)]
    [InlineData("facts.dataElements contains 'passport'", false)]
    [InlineData("facts.dataElements contains 'SSN'", false)]
    [InlineData("facts.jurisdictions contains 'US-CA'", false)]
    [InlineData("facts.unknownList contains 'x'", false)]
    [InlineData("incident.kind contains 'ransomware'", false)]
    [InlineData("facts.dataElements contains 1", false)]
    [InlineData("facts.dataElements contains null", false)]
    [InlineData("['a', 'b'] contains 'b'", true)]
    // ! && || and precedence
    [InlineData("!entity.dataOwner", true)]
    [InlineData("!!entity.secRegistrant", true)]
    [InlineData("true || false && false", true)]
    [InlineData("(true || false) && false", false)]
    [InlineData("false && false || true", true)]
    [InlineData("!false && false", false)]
    [InlineData("!(false && false)", true)]
    [InlineData("!entity.dataOwner == true", true)]
    [InlineData("entity.secRegistrant && incident.kind == 'ransomware'", true)]
    [InlineData("entity.dataOwner || facts.residentsTotal > 1000 && obligations.individuals", true)]
    [InlineData("entity.dataOwner || facts.residentsTotal > 1000 && entity.dataOwner", false)]
    // null and non-booleans count as false
    [InlineData("!null", true)]
    [InlineData("!facts.encrypted", true)]
    [InlineData("facts.encrypted || true", true)]
    [InlineData("facts.encrypted || false", false)]
    [InlineData("facts.encrypted && true", false)]
    [InlineData("incident.kind && true", false)]
    [InlineData("incident.kind || true", true)]
    [InlineData("!incident.kind == 'ransomware'", false)]
    [InlineData("incident.kind", false)]
    [InlineData("facts.residentsTotal", false)]
    [InlineData("facts.dataElements", false)]
    [InlineData("'true'", false)]
    [InlineData("1", false)]
    public void Evaluation_follows_the_documented_semantics(string text, bool expected)
    {
        Assert.Equal(expected, Condition.Parse(text).Evaluate(new Scope()));
    }

    [Theory]
    [InlineData("entity.dataOwner && obligations.count > 0", "entity.dataOwner")]
    [InlineData("facts.encrypted && obligations.count > 0", "facts.encrypted")]
    [InlineData("entity.secRegistrant || obligations.count > 0", "entity.secRegistrant")]
    [InlineData("entity.dataOwner && x.y || entity.secRegistrant || obligations.count > 0", "entity.dataOwner, entity.secRegistrant")]
    [InlineData("(entity.dataOwner && x.y) == false", "entity.dataOwner")]
    [InlineData("entity.dataOwner || obligations.count > 0", "entity.dataOwner, obligations.count")]
    public void And_and_or_short_circuit(string text, string read)
    {
        var scope = new Scope();
        Condition.Parse(text).Evaluate(scope);
        Assert.Equal(read, string.Join(", ", scope.Read));
    }

    [Fact]
    public void A_condition_is_parsed_once_and_evaluated_against_many_states()
    {
        var condition = Condition.Parse("decisions['le-decision'] in ['report-now', 'report-attempt']");
        Assert.True(condition.Evaluate(new Single(ConditionValue.Of("report-now"))));
        Assert.True(condition.Evaluate(new Single(ConditionValue.Of("report-attempt"))));
        Assert.False(condition.Evaluate(new Single(ConditionValue.Of("defer"))));
        Assert.False(condition.Evaluate(new Single(ConditionValue.Null)));
        Assert.False(condition.Evaluate(new Single(ConditionValue.Of(["report-now"]))));
    }

    private sealed class Single(ConditionValue value) : IConditionScope
    {
        public ConditionValue Resolve(ConditionPath path) => value;
    }

    [Fact]
    public void Any_string_round_trips_through_a_literal() =>
        Gen.String.Sample(s =>
        {
            var condition = Condition.Parse($"x.y == {ConditionValue.Of(s)}");
            return condition.Evaluate(new Single(ConditionValue.Of(s))) && !condition.Evaluate(new Single(ConditionValue.Of(s + "!")));
        });

    [Fact]
    public void Any_number_round_trips_through_a_literal() =>
        Gen.Decimal.Sample(d =>
        {
            var condition = Condition.Parse($"x.y == {ConditionValue.Of(d)} && x.y <= {ConditionValue.Of(d)} && !(x.y < {ConditionValue.Of(d)})");
            return condition.Evaluate(new Single(ConditionValue.Of(d)));
        });

    // ---------------------------------------------------------------- values and paths

    [Fact]
    public void Values_are_equal_only_within_a_type()
    {
        Assert.Equal(ConditionValue.Null, default);
        Assert.Equal(ConditionValue.Null, ConditionValue.Of((string?)null));
        Assert.Equal(ConditionValue.Null, ConditionValue.Of((IReadOnlyList<string>?)null));
        Assert.Equal(ConditionValue.Of(1.0m), ConditionValue.Of(1));
        Assert.Equal(ConditionValue.Of(1.0m).GetHashCode(), ConditionValue.Of(1).GetHashCode());
        Assert.Equal(ConditionValue.Of(["a", "b"]), ConditionValue.Of(new List<string> { "a", "b" }));
        Assert.Equal(ConditionValue.Of(["a", "b"]).GetHashCode(), ConditionValue.Of(new List<string> { "a", "b" }).GetHashCode());
        Assert.NotEqual(ConditionValue.Of("1"), ConditionValue.Of(1));
        Assert.NotEqual(ConditionValue.Of(false), ConditionValue.Null);
        Assert.NotEqual(ConditionValue.Of("a"), ConditionValue.Of(["a"]));
        Assert.True(ConditionValue.Of("a") != ConditionValue.Of("A"));
    }

    [Fact]
    public void Values_expose_their_type_and_content_and_are_immutable()
    {
        var source = new List<string> { "a" };
        var list = ConditionValue.Of(source);
        source.Add("b");
        Assert.Equal(["a"], list.AsList!);
        Assert.Equal(ConditionType.StringList, list.Type);
        Assert.Null(list.AsString);
        Assert.True(ConditionValue.Null.IsNull);
        Assert.Null(ConditionValue.Null.Type);
        Assert.Equal(2.5m, ConditionValue.Of(2.5m).AsNumber);
        Assert.False(ConditionValue.Of(false).AsBoolean);
        Assert.Equal("x", ConditionValue.Of("x").AsString);
        Assert.Throws<ArgumentException>(() => ConditionValue.Of(new[] { "a", null! }));
    }

    [Theory]
    [InlineData("null")]
    [InlineData("true")]
    [InlineData("-12.50")]
    [InlineData("'it\\'s \\\\'")]
    [InlineData("['a', 'b\\'c']")]
    public void Values_print_as_literals(string literal)
    {
        var value = Condition.Parse($"x.y == {literal}");
        var printed = literal switch
        {
            "null" => ConditionValue.Null,
            "true" => ConditionValue.Of(true),
            "-12.50" => ConditionValue.Of(-12.50m),
            "'it\\'s \\\\'" => ConditionValue.Of("it's \\"),
            _ => ConditionValue.Of(["a", "b'c"]),
        };
        Assert.Equal(literal, printed.ToString());
        Assert.True(value.Evaluate(new Single(printed)));
    }

    [Theory]
    [InlineData("entity", "secRegistrant", "entity.secRegistrant")]
    [InlineData("decisions", "le-decision", "decisions['le-decision']")]
    [InlineData("decisions", "it's", "decisions['it\\'s']")]
    [InlineData("x", "a b", "x['a b']")]
    [InlineData("x", "9lives", "x['9lives']")]
    public void Paths_print_as_written_and_parse_back(string root, string name, string written)
    {
        var path = new ConditionPath(root, name);
        Assert.Equal(written, path.ToString());
        Assert.Equal([path], Condition.Parse(written).Paths);
    }

    [Theory]
    [InlineData("true", "")]
    [InlineData("entity['secRegistrant'] || entity.secRegistrant", "entity.secRegistrant")]
    [InlineData("decisions['le-decision'] == 'contact' && (entity.secRegistrant || decisions['le-decision'] != 'defer') && facts.dataElements contains 'ssn'",
        "decisions['le-decision'] | entity.secRegistrant | facts.dataElements")]
    [InlineData("obligations.count > facts.residentsTotal || !(milestones.contained) && clocks.hhsNotice",
        "obligations.count | facts.residentsTotal | milestones.contained | clocks.hhsNotice")]
    public void Paths_lists_every_path_read_in_order_once(string text, string paths)
    {
        Assert.Equal(paths, string.Join(" | ", Condition.Parse(text).Paths));
    }

    [Fact]
    public void Paths_are_values_with_a_root_and_a_name()
    {
        var path = Assert.Single(Condition.Parse("decisions['le-decision'] == 'contact'").Paths);
        Assert.Equal(new ConditionPath("decisions", "le-decision"), path);
        Assert.Equal(("decisions", "le-decision"), (path.Root, path.Name));
    }

    // ---------------------------------------------------------------- static checks

    [Theory]
    [InlineData("decisions['breach-determination'] in ['breach', 'breach-harm-not-likely']")]
    [InlineData("(facts.dataElements contains 'ssn' || facts.dataElements contains 'driversLicenseOrStateId') && decisions['breach-determination'] != 'no-breach'")]
    [InlineData("entity.secRegistrant")]
    [InlineData("incident.kind == 'credentialStuffing' || facts.dataElements contains 'usernameOrEmailWithPassword'")]
    [InlineData("obligations.count > 0")]
    [InlineData("'contact' == decisions['le-decision']")]
    [InlineData("decisions['le-decision'] == null")]
    [InlineData("decisions['le-decision'] in ['contact', null]")]
    [InlineData("facts.encrypted == null || !facts.encrypted")]
    [InlineData("facts.encrypted")]
    [InlineData("incident.severity in ['high', 'critical'] && !incident.isExercise")]
    [InlineData("!(facts.residentsTotal < 500) && facts.residentsTotal != 0")]
    [InlineData("facts.jurisdictions contains 'US-CA'")]
    [InlineData("facts.dataElements == ['ssn']")]
    [InlineData("milestones.contained && clocks.hhsNotice && obligations.individuals")]
    [InlineData("entity.secRegistrant && null")]
    [InlineData("true")]
    public void Well_typed_conditions_pass_the_check(string text)
    {
        Assert.Empty(Condition.Parse(text).Check(Library));
    }

    [Theory]
    [InlineData("decisions['le-decision'] == 'contakt'", "'contakt' is not an option of decisions['le-decision'] (contact, defer)")]
    [InlineData("'contakt' != decisions['le-decision']", "'contakt' is not an option of decisions['le-decision'] (contact, defer)")]
    [InlineData("decisions['le-decision'] in ['contact', 'defr']", "'defr' is not an option of decisions['le-decision'] (contact, defer)")]
    [InlineData("incident.kind == 'ransom'", "'ransom' is not an option of incident.kind (ransomware, dataExfiltration, ")]
    [InlineData("incident.severity == 'severe'", "'severe' is not an option of incident.severity (low, medium, high, critical)")]
    [InlineData("facts.dataElements contains 'shoeSize'", "'shoeSize' is not an option of facts.dataElements (name, ssn, ")]
    [InlineData("facts.dataElements == ['ssn', 'shoeSize']", "'shoeSize' is not an option of facts.dataElements (name, ssn, ")]
    [InlineData("decisions['no-such-step'] == 'x'", "unknown path decisions['no-such-step']")]
    [InlineData("entity.ceo", "unknown path entity.ceo")]
    [InlineData("wat.ever || true", "unknown path wat.ever")]
    [InlineData("incident.kind > 3", "'>' compares numbers, but incident.kind is a string")]
    [InlineData("facts.residentsTotal < '10'", "'<' compares numbers, but '10' is a string")]
    [InlineData("obligations.count >= null", "'>=' compares numbers, but null is null")]
    [InlineData("facts.encrypted <= 1", "'<=' compares numbers, but facts.encrypted is a boolean")]
    [InlineData("incident.kind contains 'x'", "'contains' needs a list on the left, but incident.kind is a string")]
    [InlineData("facts.dataElements contains 3", "'contains' looks for a string, but 3 is a number")]
    [InlineData("entity.secRegistrant == 'x'", "cannot compare entity.secRegistrant (boolean) with 'x' (string)")]
    [InlineData("obligations.count in ['one', 2]", "cannot compare obligations.count (number) with 'one' (string)")]
    [InlineData("facts.dataElements == 'ssn'", "cannot compare facts.dataElements (list of strings) with 'ssn' (string)")]
    [InlineData("facts.dataElements in ['ssn']", "cannot compare facts.dataElements (list of strings) with 'ssn' (string)")]
    [InlineData("(obligations.count > 0) == 1", "cannot compare (obligations.count > 0) (boolean) with 1 (number)")]
    [InlineData("1 == 'a'", "cannot compare 1 (number) with 'a' (string)")]
    [InlineData("entity.secRegistrant == null", "entity.secRegistrant is never null")]
    [InlineData("decisions['le-decision']", "the condition must be true or false, but decisions['le-decision'] is a string")]
    [InlineData("obligations.count", "the condition must be true or false, but obligations.count is a number")]
    [InlineData("null", "the condition must be true or false, but null is null")]
    [InlineData("['a']", "the condition must be true or false, but ['a'] is a list of strings")]
    [InlineData("!incident.kind", "'!' takes true or false, but incident.kind is a string")]
    [InlineData("entity.secRegistrant && obligations.count", "'&&' takes true or false, but obligations.count is a number")]
    [InlineData("incident.kind || true", "'||' takes true or false, but incident.kind is a string")]
    public void Ill_typed_conditions_fail_the_check_naming_the_culprit(string text, string message)
    {
        var problems = Condition.Parse(text).Check(Library);
        Assert.Contains(problems, p => p.StartsWith(message, StringComparison.Ordinal));
    }

    [Fact]
    public void Negating_a_comparison_without_parentheses_is_caught()
    {
        var problems = Condition.Parse("!incident.kind == 'ransomware'").Check(Library);
        Assert.Equal(
            ["'!' takes true or false, but incident.kind is a string", "cannot compare !incident.kind (boolean) with 'ransomware' (string)"],
            problems);
    }

    [Theory]
    [InlineData("entity.ceo || entity.ceo")]
    [InlineData("entity.ceo == 'x'")]
    [InlineData("entity.ceo > 1 && !entity.ceo")]
    public void An_unknown_path_is_reported_once_without_follow_on_errors(string text)
    {
        Assert.Equal(["unknown path entity.ceo"], Condition.Parse(text).Check(Library));
    }

    // ---------------------------------------------------------------- the playbook library

    private static readonly Regex When = new("""^\s*(?:-\s+)?when:\s*"((?:[^"\\]|\\.)*)"\s*(?:#.*)?$""");

    private static List<(string Where, string Text)> LibraryConditions()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "IncidentResponse.sln")))
        {
            directory = directory.Parent;
        }

        Assert.NotNull(directory);
        var found = new List<(string, string)>();
        foreach (var file in Directory.GetFiles(Path.Combine(directory.FullName, "workflows", "playbooks"), "*.yaml").Order(StringComparer.Ordinal))
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                if (!lines[i].TrimStart(' ', '-').StartsWith("when:", StringComparison.Ordinal))
                {
                    continue;
                }

                // the doc asks for the whole expression in double quotes; anything else would be silently skipped here
                var match = When.Match(lines[i]);
                Assert.True(match.Success, $"{Path.GetFileName(file)}:{i + 1}: when is not one double-quoted string: {lines[i]}");
                var text = match.Groups[1].Value.Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
                found.Add(($"{Path.GetFileName(file)}:{i + 1}", text));
            }
        }

        return found;
    }

    [Fact]
    public void Every_when_in_the_playbook_library_parses()
    {
        var conditions = LibraryConditions();
        Assert.True(conditions.Count >= 50, $"only {conditions.Count} when conditions found in workflows/playbooks");
        var failures = new List<string>();
        foreach (var (where, text) in conditions)
        {
            try
            {
                Condition.Parse(text);
            }
            catch (ConditionSyntaxException e)
            {
                failures.Add($"{where}: {text}: {e.Message}");
            }
        }

        Assert.Empty(failures);
    }

    [Fact]
    public void Every_when_in_the_playbook_library_is_well_typed_against_the_documented_paths()
    {
        var catalog = new PlaybookConditionCatalog(null); // any decision id, any option: the loader checks those against the playbook's steps
        var failures = LibraryConditions()
            .SelectMany(c => Condition.Parse(c.Text).Check(catalog).Select(p => $"{c.Where}: {c.Text}: {p}"))
            .ToList();
        Assert.Empty(failures);
    }
}
