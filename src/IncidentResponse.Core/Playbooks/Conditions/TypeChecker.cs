namespace IncidentResponse.Core.Playbooks.Conditions;

/// <summary>The static checks of docs/playbooks.md "Static checks", against a catalog of what each path is.</summary>
internal sealed class TypeChecker(IConditionCatalog catalog, string text)
{
    /// <summary>Unknown: already reported (or unknowable), so nothing more is said about it.</summary>
    private enum Kind
    {
        Unknown,
        Null,
        Boolean,
        Number,
        String,
        StringList,
    }

    private sealed record Typed(Kind Kind, PathNode? Path = null, PathInfo? Info = null);

    private readonly List<string> problems = [];

    public static IReadOnlyList<string> Check(Node root, IConditionCatalog catalog, string text)
    {
        var checker = new TypeChecker(catalog, text);
        var type = checker.TypeOf(root);
        if (type.Kind is not (Kind.Boolean or Kind.Unknown))
        {
            checker.problems.Add($"the condition must be true or false, but {checker.Describe(root)} is {Article(type.Kind)}");
        }

        return checker.problems.Distinct().ToList().AsReadOnly();
    }

    private Typed TypeOf(Node node)
    {
        switch (node)
        {
            case LiteralNode literal:
                return new Typed(KindOf(literal.Value));
            case ListNode:
                return new Typed(Kind.StringList);
            case PathNode path:
                return Path(path);
            case NotNode not:
                RequireBoolean(not.Operand, "'!'");
                break;
            case AllNode all:
                foreach (var operand in all.Operands)
                {
                    RequireBoolean(operand, "'&&'");
                }

                break;
            case AnyNode any:
                foreach (var operand in any.Operands)
                {
                    RequireBoolean(operand, "'||'");
                }

                break;
            case CompareNode { Operator: TokenKind.Equal or TokenKind.NotEqual } compare:
                Equality(compare.Left, TypeOf(compare.Left), compare.Right, TypeOf(compare.Right));
                break;
            case CompareNode compare:
                RequireNumber(compare.Left, compare.Symbol);
                RequireNumber(compare.Right, compare.Symbol);
                break;
            case InNode @in:
                var left = TypeOf(@in.Left);
                foreach (var item in @in.List.Items)
                {
                    Equality(@in.Left, left, item, TypeOf(item));
                }

                break;
            case ContainsNode contains:
                Contains(contains);
                break;
        }

        return new Typed(Kind.Boolean);
    }

    private Typed Path(PathNode node)
    {
        if (catalog.Describe(node.Path) is not { } info)
        {
            problems.Add($"unknown path {node.Path}");
            return new Typed(Kind.Unknown);
        }

        var kind = info.Type switch
        {
            ConditionType.Boolean => Kind.Boolean,
            ConditionType.Number => Kind.Number,
            ConditionType.String => Kind.String,
            _ => Kind.StringList,
        };
        return new Typed(kind, node, info);
    }

    /// <summary>Null counts as false for '!', '&amp;&amp;' and '||', so a null literal is allowed there.</summary>
    private void RequireBoolean(Node node, string op)
    {
        var type = TypeOf(node);
        if (type.Kind is not (Kind.Boolean or Kind.Null or Kind.Unknown))
        {
            problems.Add($"{op} takes true or false, but {Describe(node)} is {Article(type.Kind)}");
        }
    }

    private void RequireNumber(Node node, string op)
    {
        var type = TypeOf(node);
        if (type.Kind is not (Kind.Number or Kind.Unknown))
        {
            problems.Add($"'{op}' compares numbers, but {Describe(node)} is {Article(type.Kind)}");
        }
    }

    /// <summary>For ==, != and in: same types (or a null literal against a path that can be null), and only allowed strings.</summary>
    private void Equality(Node left, Typed leftType, Node right, Typed rightType)
    {
        if (leftType.Kind == Kind.Unknown || rightType.Kind == Kind.Unknown)
        {
            return;
        }

        if (leftType.Kind == Kind.Null || rightType.Kind == Kind.Null)
        {
            var other = leftType.Kind == Kind.Null ? rightType : leftType;
            if (other.Info is { Nullable: false })
            {
                problems.Add($"{other.Path!.Path} is never null");
            }

            return;
        }

        if (leftType.Kind != rightType.Kind)
        {
            problems.Add($"cannot compare {Describe(left)} ({Name(leftType.Kind)}) with {Describe(right)} ({Name(rightType.Kind)})");
            return;
        }

        Options(leftType, right);
        Options(rightType, left);
    }

    private void Contains(ContainsNode node)
    {
        var list = TypeOf(node.Left);
        var item = node.Right.Value;
        if (list.Kind is not (Kind.StringList or Kind.Unknown))
        {
            problems.Add($"'contains' needs a list on the left, but {Describe(node.Left)} is {Article(list.Kind)}");
        }
        else if (item.AsString is null)
        {
            problems.Add($"'contains' looks for a string, but {item} is {Article(KindOf(item))}");
        }
        else
        {
            Options(list, node.Right);
        }
    }

    /// <summary>Every string literal on one side must be an allowed value of the path on the other.</summary>
    private void Options(Typed path, Node literals)
    {
        if (path is not { Path: { } node, Info.AllowedValues: { } allowed })
        {
            return;
        }

        var strings = literals switch
        {
            LiteralNode literal => [literal.Value],
            ListNode list => list.Items.Select(i => i.Value),
            _ => [],
        };
        foreach (var value in strings)
        {
            if (value.AsString is { } s && !allowed.Contains(s, StringComparer.Ordinal))
            {
                problems.Add($"{value} is not an option of {node.Path} ({string.Join(", ", allowed)})");
            }
        }
    }

    private static Kind KindOf(ConditionValue value) => value.Type switch
    {
        null => Kind.Null,
        ConditionType.Boolean => Kind.Boolean,
        ConditionType.Number => Kind.Number,
        ConditionType.String => Kind.String,
        _ => Kind.StringList,
    };

    /// <summary>Paths and literals by their canonical spelling; anything bigger by its text.</summary>
    private string Describe(Node node) => node switch
    {
        PathNode path => path.Path.ToString(),
        LiteralNode literal => literal.Value.ToString(),
        _ => text[node.Start..node.End],
    };

    private static string Name(Kind kind) => kind switch
    {
        Kind.Null => "null",
        Kind.Boolean => "boolean",
        Kind.Number => "number",
        Kind.String => "string",
        _ => "list of strings",
    };

    private static string Article(Kind kind) => kind == Kind.Null ? "null" : $"a {Name(kind)}";
}
