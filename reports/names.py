"""Names beside ids, so a reader sees ``payments-core-nat-a`` and ``card-auth-gateway``, not only hex and ARNs.

Built once per report from the result. A function ARN is shortened to the function's name (the ARN stays
on hover, ``title``); a NAT gateway reads ``name (nat-...)``; an account its name with the id on hover.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from analyzer.models import AnalysisResult
from analyzer.rules.base import function_name, ids_text


@dataclass(frozen=True)
class Names:
    functions: dict[str, str]  # ARN -> name
    nats: dict[str, str | None]  # NAT id -> Name tag
    accounts: dict[str, str | None]  # account id -> name

    @classmethod
    def of(cls, result: AnalysisResult) -> Names:
        return cls(
            functions={f.arn: f.name for f in result.functions},
            nats={n.nat_gateway_id: n.name for n in result.nat_gateways},
            accounts={a.account_id: a.name for a in result.accounts},
        )

    def function(self, arn: str) -> str:
        return self.functions.get(arn) or function_name(arn)

    def short(self, value: str) -> str:
        """An id as a reader wants it: a Lambda ARN as its function name, anything else as it is."""
        return self.function(value) if value.startswith("arn:") else value

    def shorts(self, values: Iterable[str], limit: int = 5) -> str:
        """``a, b, c and 2 more``, ARNs as names."""
        return ids_text((self.short(v) for v in values), limit)

    def nat(self, nat_id: str) -> str:
        """The NAT's Name tag, else its id."""
        return self.nats.get(nat_id) or nat_id

    def nat_label(self, nat_id: str) -> str:
        """``name (nat-...)``, or the id alone for a NAT without a Name tag."""
        name = self.nats.get(nat_id)
        return f"{name} ({nat_id})" if name else nat_id

    def account(self, account_id: str) -> str:
        return self.accounts.get(account_id) or account_id
