namespace IncidentResponse.Core.Playbooks.Conditions;

/// <summary>A node of a parsed condition, with its span in the text (for messages).</summary>
internal abstract record Node(int Start, int End);

internal sealed record LiteralNode(ConditionValue Value, int Start, int End) : Node(Start, End);

/// <summary>A list literal; <see cref="Value"/> is its list of strings when it is used as a value.</summary>
internal sealed record ListNode(IReadOnlyList<LiteralNode> Items, ConditionValue Value, int Start, int End) : Node(Start, End);

internal sealed record PathNode(ConditionPath Path, int Start, int End) : Node(Start, End);

internal sealed record NotNode(Node Operand, int Start, int End) : Node(Start, End);

/// <summary><c>a &amp;&amp; b &amp;&amp; c</c> as one node, so long chains do not make deep trees.</summary>
internal sealed record AllNode(IReadOnlyList<Node> Operands, int Start, int End) : Node(Start, End);

internal sealed record AnyNode(IReadOnlyList<Node> Operands, int Start, int End) : Node(Start, End);

internal sealed record CompareNode(TokenKind Operator, string Symbol, Node Left, Node Right, int Start, int End) : Node(Start, End);

internal sealed record InNode(Node Left, ListNode List, int Start, int End) : Node(Start, End);

internal sealed record ContainsNode(Node Left, LiteralNode Right, int Start, int End) : Node(Start, End);
