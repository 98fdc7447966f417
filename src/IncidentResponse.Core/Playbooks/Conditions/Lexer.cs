using System.Globalization;
using System.Text;

namespace IncidentResponse.Core.Playbooks.Conditions;

internal enum TokenKind
{
    End,
    Identifier,
    String,
    Number,
    True,
    False,
    Null,
    In,
    Contains,
    LeftParen,
    RightParen,
    LeftBracket,
    RightBracket,
    Comma,
    Dot,
    Not,
    And,
    Or,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// <summary>One token: its kind, its span in the text, and for literals its value.</summary>
internal readonly record struct Token(TokenKind Kind, int Start, int End, string Text, ConditionValue Value = default)
{
    public bool IsLiteral => Kind is TokenKind.String or TokenKind.Number or TokenKind.True or TokenKind.False or TokenKind.Null;

    /// <summary>Identifiers and keywords: anything that may follow a dot as a name.</summary>
    public bool IsWord => Kind is TokenKind.Identifier or TokenKind.True or TokenKind.False or TokenKind.Null or TokenKind.In or TokenKind.Contains;

    public bool IsComparison => Kind is >= TokenKind.Equal and <= TokenKind.GreaterOrEqual or TokenKind.In or TokenKind.Contains;

    /// <summary>The token as named in an error message.</summary>
    public override string ToString() => Kind switch
    {
        TokenKind.End => "the end of the condition",
        TokenKind.String => Value.ToString(),
        _ => $"'{Text}'",
    };
}

/// <summary>Turns condition text into tokens on demand, so errors come out in text order.</summary>
internal sealed class Lexer(string text)
{
    private static readonly Dictionary<string, TokenKind> Keywords = new(StringComparer.Ordinal)
    {
        ["true"] = TokenKind.True,
        ["false"] = TokenKind.False,
        ["null"] = TokenKind.Null,
        ["in"] = TokenKind.In,
        ["contains"] = TokenKind.Contains,
    };

    private int position;

    public Token Next()
    {
        while (position < text.Length && char.IsWhiteSpace(text[position]))
        {
            position++;
        }

        if (position == text.Length)
        {
            return new Token(TokenKind.End, position, position, "");
        }

        var c = text[position];
        return c switch
        {
            '(' => Symbol(TokenKind.LeftParen, 1),
            ')' => Symbol(TokenKind.RightParen, 1),
            '[' => Symbol(TokenKind.LeftBracket, 1),
            ']' => Symbol(TokenKind.RightBracket, 1),
            ',' => Symbol(TokenKind.Comma, 1),
            '.' => Symbol(TokenKind.Dot, 1),
            '!' => Follows('=') ? Symbol(TokenKind.NotEqual, 2) : Symbol(TokenKind.Not, 1),
            '<' => Follows('=') ? Symbol(TokenKind.LessOrEqual, 2) : Symbol(TokenKind.Less, 1),
            '>' => Follows('=') ? Symbol(TokenKind.GreaterOrEqual, 2) : Symbol(TokenKind.Greater, 1),
            '=' => Follows('=') ? Symbol(TokenKind.Equal, 2) : throw Unknown(c, "did you mean '=='?"),
            '&' => Follows('&') ? Symbol(TokenKind.And, 2) : throw Unknown(c, "did you mean '&&'?"),
            '|' => Follows('|') ? Symbol(TokenKind.Or, 2) : throw Unknown(c, "did you mean '||'?"),
            '\'' => String(),
            '"' => throw Unknown(c, "string literals take single quotes"),
            '-' when Follows(char.IsAsciiDigit) => Number(),
            _ when char.IsAsciiDigit(c) => Number(),
            _ when char.IsAsciiLetter(c) => Word(),
            _ => throw Unknown(c, null),
        };
    }

    private bool Follows(char next) => Follows(c => c == next);

    private bool Follows(Func<char, bool> next) => position + 1 < text.Length && next(text[position + 1]);

    private Token Symbol(TokenKind kind, int length)
    {
        var token = new Token(kind, position, position + length, text.Substring(position, length));
        position += length;
        return token;
    }

    private ConditionSyntaxException Unknown(char c, string? hint) =>
        new(position, char.IsControl(c) || char.IsSurrogate(c) ? $"unknown character U+{(int)c:X4}" : $"unknown character '{c}'", hint);

    private Token Word()
    {
        var start = position;
        while (position < text.Length && char.IsAsciiLetterOrDigit(text[position]))
        {
            position++;
        }

        var word = text[start..position];
        return new Token(Keywords.GetValueOrDefault(word, TokenKind.Identifier), start, position, word,
            word switch { "true" => ConditionValue.Of(true), "false" => ConditionValue.Of(false), _ => ConditionValue.Null });
    }

    private Token Number()
    {
        var start = position;
        position++; // the minus sign or the first digit
        SkipDigits();
        if (position < text.Length && text[position] == '.')
        {
            if (!Follows(char.IsAsciiDigit))
            {
                throw new ConditionSyntaxException(position + 1, "expected a digit after the decimal point");
            }

            position++;
            SkipDigits();
        }

        var literal = text[start..position];
        return decimal.TryParse(literal, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
            ? new Token(TokenKind.Number, start, position, literal, ConditionValue.Of(value))
            : throw new ConditionSyntaxException(start, $"number {literal} is out of range");
    }

    private void SkipDigits()
    {
        while (position < text.Length && char.IsAsciiDigit(text[position]))
        {
            position++;
        }
    }

    private Token String()
    {
        var start = position++;
        var value = new StringBuilder();
        while (position < text.Length)
        {
            var c = text[position++];
            if (c == '\'')
            {
                return new Token(TokenKind.String, start, position, text[start..position], ConditionValue.Of(value.ToString()));
            }

            if (c == '\\')
            {
                if (position == text.Length)
                {
                    break;
                }

                var escaped = text[position];
                if (escaped is not ('\'' or '\\'))
                {
                    throw new ConditionSyntaxException(position - 1, $"unknown escape '\\{escaped}' in a string; only \\' and \\\\ are allowed");
                }

                position++;
                c = escaped;
            }

            value.Append(c);
        }

        throw new ConditionSyntaxException(start, "unterminated string");
    }
}
