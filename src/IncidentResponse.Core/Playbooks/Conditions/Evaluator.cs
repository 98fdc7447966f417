namespace IncidentResponse.Core.Playbooks.Conditions;

/// <summary>Evaluates a parsed condition by walking its tree; paths are resolved only when reached (short-circuit).</summary>
internal static class Evaluator
{
    /// <summary>Only boolean true is true: null (and, should a scope disagree with the catalog, any other type) is false.</summary>
    public static bool IsTrue(ConditionValue value) => value.AsBoolean == true;

    public static ConditionValue Value(Node node, IConditionScope scope) => node switch
    {
        LiteralNode literal => literal.Value,
        ListNode list => list.Value,
        PathNode path => scope.Resolve(path.Path),
        NotNode not => ConditionValue.Of(!IsTrue(Value(not.Operand, scope))),
        AllNode all => ConditionValue.Of(all.Operands.All(o => IsTrue(Value(o, scope)))),
        AnyNode any => ConditionValue.Of(any.Operands.Any(o => IsTrue(Value(o, scope)))),
        CompareNode compare => ConditionValue.Of(Compare(compare.Operator, Value(compare.Left, scope), Value(compare.Right, scope))),
        InNode @in => ConditionValue.Of(In(Value(@in.Left, scope), @in.List)),
        ContainsNode contains => ConditionValue.Of(Contains(Value(contains.Left, scope), contains.Right.Value)),
        _ => throw new InvalidOperationException($"unknown node {node.GetType().Name}"),
    };

    /// <summary>Equality across types is false (null == null is true); ordering needs two numbers, else false.</summary>
    private static bool Compare(TokenKind op, ConditionValue left, ConditionValue right) => op switch
    {
        TokenKind.Equal => left == right,
        TokenKind.NotEqual => left != right,
        _ => left.AsNumber is { } a && right.AsNumber is { } b && op switch
        {
            TokenKind.Less => a < b,
            TokenKind.LessOrEqual => a <= b,
            TokenKind.Greater => a > b,
            _ => a >= b,
        },
    };

    private static bool In(ConditionValue left, ListNode list) => list.Items.Any(item => item.Value == left);

    /// <summary>False when the left side is not a list (null included) or the right side is not a string.</summary>
    private static bool Contains(ConditionValue list, ConditionValue item) =>
        list.AsList is { } strings && item.AsString is { } s && strings.Contains(s, StringComparer.Ordinal);
}
