"""Actions about PMO roles and careers (decisions in bot.dialogue)."""

from __future__ import annotations

from actions.common import AnswerAction


class ActionDescribeRole(AnswerAction):
    action_name = "action_describe_role"
    job = "describe_role"


class ActionCompareRoles(AnswerAction):
    action_name = "action_compare_roles"
    job = "compare"


class ActionExplainCareerPath(AnswerAction):
    action_name = "action_explain_career_path"
    job = "career_path"


class ActionExplainEntryRequirements(AnswerAction):
    action_name = "action_explain_entry_requirements"
    job = "entry_requirements"


class ActionAdviseCareerChange(AnswerAction):
    action_name = "action_advise_career_change"
    job = "career_change"


class ActionExplainCertification(AnswerAction):
    action_name = "action_explain_certification"
    job = "certification"


class ActionDeclineTopic(AnswerAction):
    action_name = "action_decline_topic"
    job = "decline"


class ActionFollowUp(AnswerAction):
    action_name = "action_follow_up"
    job = "follow_up"


class ActionFallback(AnswerAction):
    """NLU was unsure: answer what the entities allow, or ask to rephrase."""

    action_name = "action_fallback"
    job = "fallback"


class ActionOutOfScope(AnswerAction):
    """Not a PMO question; a topic the assistant declines (salary...) is named as such."""

    action_name = "action_out_of_scope"
    job = "out_of_scope"


class ActionExplainCapabilities(AnswerAction):
    action_name = "action_explain_capabilities"
    job = "capabilities"
