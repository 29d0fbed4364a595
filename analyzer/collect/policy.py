"""The least-privilege IAM policy a scan needs, shipped as package data.

The first statement is all a single-account scan needs: Describe/List/Get
calls only. The second is needed only by ``--org`` / ``--accounts-file`` in
the calling account (list the organization, assume the scan role); narrow its
resource to ``arn:aws:iam::*:role/<your role name>``. The third,
``pricing:GetProducts``, is only for ``lambda-egress prices refresh``. The
fourth, ``OptionalAthenaInputs``, is only for ``--flow-logs-athena`` /
``--cur-athena``: running a query writes its results to S3, so it is kept out
of the read-only scan statement. A test records every call a full scan makes
and checks it against this file; another does the same for the Athena path.
"""

from __future__ import annotations

import json
from importlib import resources

POLICY_RESOURCE = "iam_policy.json"
# The only call outside Describe/List/Get: it issues credentials and changes nothing.
NON_READ_ACTIONS = frozenset({"sts:AssumeRole"})
READ_VERBS = ("Describe", "List", "Get")


def load_policy() -> dict:
    """The IAM policy document from ``analyzer/data/iam_policy.json``."""
    text = resources.files("analyzer").joinpath("data").joinpath(POLICY_RESOURCE).read_text(encoding="utf-8")
    return json.loads(text)


def policy_actions(policy: dict) -> set[str]:
    """Every action the policy allows, as written ("service:Operation")."""
    actions: set[str] = set()
    for statement in policy.get("Statement", []):
        if statement.get("Effect") != "Allow":
            continue
        listed = statement.get("Action", [])
        actions.update([listed] if isinstance(listed, str) else listed)
    return actions


def is_read_only(action: str) -> bool:
    """True for Describe*/List*/Get* calls (the AssumeRole exception is handled by callers)."""
    operation = action.split(":", 1)[-1]
    return operation.startswith(READ_VERBS) and "*" not in operation
