"""Actions about PMO roles: describe, compare, career path."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    entity_values,
    knowledge_base,
    resume_recommendation,
    role_mentions,
    send,
    unknown_role_value,
)
from bot import answers


class ActionDescribeRole(Action):
    def name(self) -> Text:
        return "action_describe_role"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        kb = knowledge_base()
        mentions = role_mentions(tracker, kb)
        other = entity_values(tracker, "other_role")
        unknown = unknown_role_value(tracker, kb)
        if mentions:
            for mention in mentions[:2]:
                send(dispatcher, answers.describe_role(kb, mention["value"], str(mention.get("text") or "")))
        elif other:
            send(dispatcher, answers.not_a_pmo_role(kb, other[0]))
        elif unknown:
            send(dispatcher, answers.unknown_role(kb, unknown))
        else:
            send(dispatcher, answers.list_roles(kb))
        resume_recommendation(dispatcher, tracker, kb)
        return []


class ActionCompareRoles(Action):
    def name(self) -> Text:
        return "action_compare_roles"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        kb = knowledge_base()
        roles = [m["value"] for m in role_mentions(tracker, kb)]
        other = entity_values(tracker, "other_role")
        if len(roles) >= 2:
            send(dispatcher, answers.compare_roles(kb, roles[0], roles[1]))
        elif roles and other:
            send(dispatcher, answers.not_a_pmo_role(kb, other[0]))
            send(dispatcher, answers.describe_role(kb, roles[0]))
        elif roles:
            send(dispatcher, answers.compare_roles(kb, roles[0]))
        else:
            send(dispatcher, answers.compare_roles(kb, "PMO Analyst", "PMO Manager"))
        resume_recommendation(dispatcher, tracker, kb)
        return []


class ActionExplainCareerPath(Action):
    def name(self) -> Text:
        return "action_explain_career_path"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        kb = knowledge_base()
        roles = [m["value"] for m in role_mentions(tracker, kb)]
        newcomer = "new_to_pmo" in entity_values(tracker, "experience")
        # "from analyst to manager": the target is the most senior role named.
        target = max(roles, key=lambda r: kb.role(r).level) if roles else None
        send(dispatcher, answers.career_path(kb, target, newcomer=newcomer))
        resume_recommendation(dispatcher, tracker, kb)
        return []
