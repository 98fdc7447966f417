namespace IncidentResponse.Core.Playbooks.Conditions;

/// <summary>A parsed condition (docs/playbooks.md "Conditions"). Parse once, evaluate many times.</summary>
public sealed class Condition
{
    private readonly Node root;

    private Condition(string text, Node root, IReadOnlyList<ConditionPath> paths)
    {
        Text = text;
        this.root = root;
        Paths = paths;
    }

    /// <summary>The expression as written.</summary>
    public string Text { get; }

    /// <summary>Every path the expression reads, in order of first appearance, each once.</summary>
    public IReadOnlyList<ConditionPath> Paths { get; }

    /// <exception cref="ConditionSyntaxException">The text is not a condition.</exception>
    public static Condition Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var (root, paths) = Parser.Parse(text);
        return new Condition(text, root, paths);
    }

    /// <summary>True when the expression is true; null and any non-boolean result count as false.</summary>
    public bool Evaluate(IConditionScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return Evaluator.IsTrue(Evaluator.Value(root, scope));
    }

    /// <summary>The static type check; each message names the path or literal at fault. Empty when the condition is fine.</summary>
    public IReadOnlyList<string> Check(IConditionCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return TypeChecker.Check(root, catalog, Text);
    }

    public override string ToString() => Text;
}
