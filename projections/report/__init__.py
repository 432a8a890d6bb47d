"""The transparency site's numbers (DESIGN.md section 8), as pure functions.

Every function here takes the registers, the profile, the findings' episodes (computed once per
build by ``projections.findings.all_episodes``) and the day the site is judged as of, and returns
a ``msgspec.Struct`` of plain numbers, dates, rule names and references. Only facts dated on or
before the day count, so a site built "as of" a past day shows what was the case then. No name
is ever here: the registers hold none.

The numbers read the rules' answers, never work them out again: whether a consent is in force
or a member eligible is ``projections.status``'s and the membership rules' answer, and every
limit (a removal's follow-up, a concern's response, a case's decision, the policy's review, a
leaver's removal) is the deadline the rule module that judges it gives (``projections.rules``).

The structs carry references (``C-0001``) for the committee edition; the pages
(``projections.pages``) leave them out of the public edition, which shows counts only.

Sizes are bounded whatever the size of the ledger: monthly series cover at most
``WINDOW_MONTHS`` months, and long lists keep the most relevant ``LIST_LIMIT`` entries with a
count of the rest.

One module per subject: ``common`` (months, bounded lists, findings as rows),
``finding_counts`` (the overview and the findings), ``consent``, ``posts`` (and removals),
``group``, ``conduct`` (friendships, concerns and cases), ``policy``, ``period`` (the printable
report's figures), ``integrity`` (the head checkpoint) and ``builds`` (what changed since the
last build). Every public name is also a name of this package.
"""

from __future__ import annotations

from projections.report.builds import (
    BuildSummary,
    Changes,
    FigureChange,
    changes,
    decode_summary,
    encode_summary,
    summary,
    summary_with_posts,
)
from projections.report.common import (
    AGE_BUCKETS,
    FIRST_DAY_GIVEN,
    LIST_LIMIT,
    PERIOD_MONTHS,
    RECENT,
    WINDOW_MONTHS,
    FindingRow,
    Month,
    age_bucket,
    bounded,
    enrolled_on,
    finding_row,
    first_day,
    is_open,
    is_resolved,
    month_of,
    months,
    period_start,
)
from projections.report.conduct import (
    CASE_OUTCOMES,
    CONCERN_CATEGORIES,
    ConcernsReport,
    ExceptionRow,
    FriendshipsReport,
    concerns_report,
    friendships_report,
)
from projections.report.consent import (
    EXPIRING_DAYS,
    ChannelCoverage,
    CoveragePoint,
    coverage,
)
from projections.report.finding_counts import (
    FindingsReport,
    MonthTrend,
    Overview,
    ResolvedMonth,
    RuleCount,
    findings_report,
    overview,
    trend,
)
from projections.report.group import (
    GroupMonth,
    GroupReport,
    LeaverDue,
    group_report,
)
from projections.report.integrity import (
    IntegrityReport,
    Witnessed,
    integrity_report,
)
from projections.report.period import (
    Figure,
    PeriodReport,
    period_report,
    period_with_posts,
)
from projections.report.policy import (
    EXCEPTION_WORDS,
    PARAMETER_WORDS,
    ChannelText,
    Parameter,
    PolicyEvent,
    PolicyReport,
    RuleText,
    images_in_words,
    policy_report,
    posters_in_words,
)
from projections.report.posts import (
    FOLLOW_UP_REASONS,
    POST_RULES,
    REMOVAL_REASONS,
    ChannelPosts,
    PostCheck,
    PostCounting,
    PostFlags,
    PostMonth,
    PostsReport,
    PostTally,
    RemovalRow,
    RemovalsReport,
    RemovalTally,
    post_flags,
    post_tally,
    posts_report,
    removal_row,
    removal_tally,
    removals_report,
    tally_post,
    tally_removals,
)

__all__ = [
    "AGE_BUCKETS",
    "CASE_OUTCOMES",
    "CONCERN_CATEGORIES",
    "EXCEPTION_WORDS",
    "EXPIRING_DAYS",
    "FIRST_DAY_GIVEN",
    "FOLLOW_UP_REASONS",
    "LIST_LIMIT",
    "PARAMETER_WORDS",
    "PERIOD_MONTHS",
    "POST_RULES",
    "RECENT",
    "REMOVAL_REASONS",
    "WINDOW_MONTHS",
    "BuildSummary",
    "Changes",
    "ChannelCoverage",
    "ChannelPosts",
    "ChannelText",
    "ConcernsReport",
    "CoveragePoint",
    "ExceptionRow",
    "Figure",
    "FigureChange",
    "FindingRow",
    "FindingsReport",
    "FriendshipsReport",
    "GroupMonth",
    "GroupReport",
    "IntegrityReport",
    "LeaverDue",
    "Month",
    "MonthTrend",
    "Overview",
    "Parameter",
    "PeriodReport",
    "PolicyEvent",
    "PolicyReport",
    "PostCheck",
    "PostCounting",
    "PostFlags",
    "PostMonth",
    "PostTally",
    "PostsReport",
    "RemovalRow",
    "RemovalTally",
    "RemovalsReport",
    "ResolvedMonth",
    "RuleCount",
    "RuleText",
    "Witnessed",
    "age_bucket",
    "bounded",
    "changes",
    "concerns_report",
    "coverage",
    "decode_summary",
    "encode_summary",
    "enrolled_on",
    "finding_row",
    "findings_report",
    "first_day",
    "friendships_report",
    "group_report",
    "images_in_words",
    "integrity_report",
    "is_open",
    "is_resolved",
    "month_of",
    "months",
    "overview",
    "period_report",
    "period_start",
    "period_with_posts",
    "policy_report",
    "post_flags",
    "post_tally",
    "posters_in_words",
    "posts_report",
    "removal_row",
    "removal_tally",
    "removals_report",
    "summary",
    "summary_with_posts",
    "tally_post",
    "tally_removals",
    "trend",
]
