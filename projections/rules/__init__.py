"""The rules, one module per part of the policy. Each judge returns the episodes of its rules."""

from __future__ import annotations

from projections.episodes import Judge
from projections.rules import concerns, contact, flagged, friendship, membership, policy, posting

JUDGES: tuple[Judge, ...] = (
    posting.published_posts,
    posting.withdrawn_consent_post_live,
    posting.removal_follow_up_overdue,
    membership.ineligible_member,
    membership.leaver_not_removed,
    membership.too_few_admins,
    friendship.connection_without_exception,
    concerns.concern_unaddressed,
    concerns.referral_undecided,
    policy.policy_review_overdue,
    contact.contact_without_permission,
    contact.contact_device,
    contact.unofficial_contact,
    flagged.flagged_post_not_removed,
)
