namespace IncidentResponse.Core.Playbooks.Conditions;

/// <summary>Recursive descent over the grammar of docs/playbooks.md "Syntax".</summary>
internal sealed class Parser
{
    private const int MaxDepth = 64; // keeps the recursion (and the evaluator's) far from the stack limit

    private readonly string text;
    private readonly Lexer lexer;
    private readonly List<ConditionPath> paths = [];
    private Token current;
    private int depth;

    private Parser(string text)
    {
        this.text = text;
        lexer = new Lexer(text);
        current = lexer.Next();
    }

    public static (Node Root, IReadOnlyList<ConditionPath> Paths) Parse(string text)
    {
        var parser = new Parser(text);
        var root = parser.Or();
        if (parser.current.Kind != TokenKind.End)
        {
            throw parser.Unexpected();
        }

        return (root, parser.paths.AsReadOnly());
    }

    private Token Advance()
    {
        var token = current;
        current = lexer.Next();
        return token;
    }

    private Token Expect(TokenKind kind, string message) =>
        current.Kind == kind ? Advance() : throw new ConditionSyntaxException(current.Start, message);

    private Node Or()
    {
        var operands = new List<Node> { And() };
        while (current.Kind == TokenKind.Or)
        {
            Advance();
            operands.Add(And());
        }

        return operands.Count == 1 ? operands[0] : new AnyNode(operands, operands[0].Start, operands[^1].End);
    }

    private Node And()
    {
        var operands = new List<Node> { Comparison() };
        while (current.Kind == TokenKind.And)
        {
            Advance();
            operands.Add(Comparison());
        }

        return operands.Count == 1 ? operands[0] : new AllNode(operands, operands[0].Start, operands[^1].End);
    }

    private Node Comparison()
    {
        var left = Unary();
        if (!current.IsComparison)
        {
            return left;
        }

        var op = Advance();
        Node node = op.Kind switch
        {
            TokenKind.In => In(left),
            TokenKind.Contains => Contains(left),
            _ => Compare(op, left, Unary()),
        };
        return current.IsComparison
            ? throw new ConditionSyntaxException(current.Start, "comparisons do not chain; combine them with '&&' or use parentheses")
            : node;
    }

    private static CompareNode Compare(Token op, Node left, Node right) => new(op.Kind, op.Text, left, right, left.Start, right.End);

    private InNode In(Node left)
    {
        var list = List("expected a list such as ['a', 'b'] after 'in'");
        return new InNode(left, list, left.Start, list.End);
    }

    private ContainsNode Contains(Node left)
    {
        var right = Literal("expected a literal after 'contains'");
        return new ContainsNode(left, right, left.Start, right.End);
    }

    private Node Unary()
    {
        if (current.Kind != TokenKind.Not)
        {
            return Primary();
        }

        Enter();
        var not = Advance();
        var operand = Unary();
        depth--;
        return new NotNode(operand, not.Start, operand.End);
    }

    private Node Primary()
    {
        if (current.IsLiteral)
        {
            return Literal("");
        }

        switch (current.Kind)
        {
            case TokenKind.LeftBracket:
                return ListValue();
            case TokenKind.Identifier:
                return Path();
            case TokenKind.LeftParen:
                Enter();
                var open = Advance();
                var inner = Or();
                var close = Expect(TokenKind.RightParen, "expected ')'");
                depth--;
                return inner with { Start = open.Start, End = close.End };
            default:
                throw new ConditionSyntaxException(current.Start, "expected a path, a literal or '('");
        }
    }

    private void Enter()
    {
        if (++depth > MaxDepth)
        {
            throw new ConditionSyntaxException(current.Start, "the condition is nested too deeply");
        }
    }

    private LiteralNode Literal(string message)
    {
        var token = current.IsLiteral ? Advance() : throw new ConditionSyntaxException(current.Start, message);
        return new LiteralNode(token.Value, token.Start, token.End);
    }

    private ListNode List(string message)
    {
        var open = Expect(TokenKind.LeftBracket, message);
        var items = new List<LiteralNode>();
        if (current.Kind != TokenKind.RightBracket)
        {
            items.Add(Literal("expected a literal in the list"));
            while (current.Kind == TokenKind.Comma)
            {
                Advance();
                items.Add(Literal("expected a literal in the list"));
            }
        }

        var close = Expect(TokenKind.RightBracket, "expected ',' or ']'");
        return new ListNode(items, ConditionValue.Null, open.Start, close.End);
    }

    /// <summary>A list used as a value (not after <c>in</c>) is a list of strings, the only list type there is.</summary>
    private ListNode ListValue()
    {
        var list = List("");
        var strings = new List<string>();
        foreach (var item in list.Items)
        {
            strings.Add(item.Value.AsString
                ?? throw new ConditionSyntaxException(item.Start, $"a list used as a value holds only strings, not {item.Value}"));
        }

        return list with { Value = ConditionValue.Of(strings) };
    }

    private PathNode Path()
    {
        var root = Advance();
        string name;
        int end;
        if (current.Kind == TokenKind.Dot)
        {
            Advance();
            var word = current.IsWord ? current : throw new ConditionSyntaxException(current.Start, "expected a name after '.'");
            if (word.End < text.Length && text[word.End] == '-')
            {
                throw Hyphen(root, word);
            }

            Advance();
            (name, end) = (word.Text, word.End);
        }
        else if (current.Kind == TokenKind.LeftBracket)
        {
            Advance();
            var quoted = Expect(TokenKind.String, "expected a quoted name such as ['le-decision'] after '['");
            name = quoted.Value.AsString!;
            if (name.Length == 0)
            {
                throw new ConditionSyntaxException(quoted.Start, "a path name cannot be empty");
            }

            end = Expect(TokenKind.RightBracket, "expected ']'").End;
        }
        else if (Hint(root) is { } hint)
        {
            throw new ConditionSyntaxException(root.Start, $"unexpected {root}", hint);
        }
        else
        {
            throw new ConditionSyntaxException(current.Start, $"expected '.' or '[' after '{root.Text}'");
        }

        var path = new ConditionPath(root.Text, name);
        if (!paths.Contains(path))
        {
            paths.Add(path);
        }

        return new PathNode(path, root.Start, end);
    }

    /// <summary>The most common slip: a decision step id (kebab-case) after a dot.</summary>
    private ConditionSyntaxException Hyphen(Token root, Token word)
    {
        var end = word.Start;
        while (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] == '-'))
        {
            end++;
        }

        var fixedPath = new ConditionPath(root.Text, text[word.Start..end]);
        return new ConditionSyntaxException(word.Start, $"a hyphen cannot appear in a dotted name; write {fixedPath}");
    }

    private ConditionSyntaxException Unexpected() => new(current.Start, $"unexpected {current}", Hint(current));

    /// <summary>Words from other languages that authors reach for.</summary>
    private static string? Hint(Token token) => token.Kind != TokenKind.Identifier ? null : token.Text switch
    {
        "and" or "AND" => "did you mean '&&'?",
        "or" or "OR" => "did you mean '||'?",
        "not" or "NOT" => "did you mean '!'?",
        var w when w.ToLowerInvariant() is "true" or "false" or "null" or "in" or "contains" => $"keywords are lower-case: {w.ToLowerInvariant()}",
        _ => null,
    };
}
