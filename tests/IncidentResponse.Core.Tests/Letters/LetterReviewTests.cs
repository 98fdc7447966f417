using IncidentResponse.Core.Identity;
using IncidentResponse.Core.Letters;

namespace IncidentResponse.Core.Tests.Letters;

public sealed class LetterReviewTests
{
    public static TheoryData<LetterStatus, ReviewAction, Role, LetterStatus> Allowed() => new()
    {
        { LetterStatus.Draft, ReviewAction.Submit, Role.Communications, LetterStatus.InReview },
        { LetterStatus.InReview, ReviewAction.RequestChanges, Role.Legal, LetterStatus.ChangesRequested },
        { LetterStatus.ChangesRequested, ReviewAction.Revise, Role.Communications, LetterStatus.Draft },
        { LetterStatus.InReview, ReviewAction.Revise, Role.Legal, LetterStatus.Draft },
        { LetterStatus.InReview, ReviewAction.Approve, Role.Legal, LetterStatus.Approved },
        { LetterStatus.Approved, ReviewAction.Revise, Role.IncidentCommander, LetterStatus.Draft },
        { LetterStatus.Approved, ReviewAction.Release, Role.IncidentCommander, LetterStatus.Released },
    };

    [Theory]
    [MemberData(nameof(Allowed))]
    public void The_table_allows_each_step_to_the_roles_holding_its_permission(LetterStatus from, ReviewAction action, Role role, LetterStatus to)
    {
        var decision = LetterReview.Decide(from, action, [role], checkPassed: true);

        Assert.True(decision.Allowed, decision.Reason);
        Assert.Equal(to, decision.To);
    }

    [Theory]
    [InlineData(Role.Administrator)]
    [InlineData(Role.IncidentCommander)]
    [InlineData(Role.Communications)]
    [InlineData(Role.Observer)]
    public void Only_legal_approves_or_requests_changes(Role role)
    {
        Assert.Equal(ReviewRefusal.NotPermitted, LetterReview.Decide(LetterStatus.InReview, ReviewAction.Approve, [role], checkPassed: true).Refusal);
        Assert.Equal(ReviewRefusal.NotPermitted, LetterReview.Decide(LetterStatus.InReview, ReviewAction.RequestChanges, [role], checkPassed: true).Refusal);
    }

    [Fact]
    public void Approval_is_blocked_while_the_check_fails()
    {
        var decision = LetterReview.Decide(LetterStatus.InReview, ReviewAction.Approve, [Role.Legal], checkPassed: false);

        Assert.Equal(ReviewRefusal.CheckFailed, decision.Refusal);
        Assert.Null(decision.To);
    }

    [Fact]
    public void A_released_letter_never_changes()
    {
        foreach (var action in Enum.GetValues<ReviewAction>())
        {
            var decision = LetterReview.Decide(LetterStatus.Released, action, [Role.Administrator, Role.Legal], checkPassed: true);
            Assert.Equal(ReviewRefusal.NotNow, decision.Refusal);
            Assert.Equal("A released letter cannot change.", decision.Reason);
        }
    }

    [Theory]
    [InlineData(LetterStatus.Draft, ReviewAction.Approve)]
    [InlineData(LetterStatus.Draft, ReviewAction.Release)]
    [InlineData(LetterStatus.InReview, ReviewAction.Release)]
    [InlineData(LetterStatus.ChangesRequested, ReviewAction.Approve)]
    [InlineData(LetterStatus.Approved, ReviewAction.Approve)]
    [InlineData(LetterStatus.InReview, ReviewAction.Submit)]
    public void Steps_out_of_order_are_refused_with_what_is_allowed_now(LetterStatus from, ReviewAction action)
    {
        var decision = LetterReview.Decide(from, action, [Role.Legal, Role.Administrator], checkPassed: true);

        Assert.Equal(ReviewRefusal.NotNow, decision.Refusal);
        Assert.Contains("allowed now", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_status_but_released_can_take_a_new_version()
    {
        Assert.Equal(
            Enum.GetValues<LetterStatus>().Except([LetterStatus.Released]),
            LetterReview.Table.Where(t => t.Action == ReviewAction.Revise).Select(t => t.From).Order());
    }
}
