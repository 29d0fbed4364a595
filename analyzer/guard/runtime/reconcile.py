"""What drift is, decided once: the guard's handler and ``lambda-egress verify`` both call this module.

Standard library only. It ships inside the guard's Lambda package (next to
``handler.py``), so it must import nothing but the standard library: no
boto3, no pydantic, no ``analyzer`` models. Inputs and outputs are plain
frozen dataclasses; the callers adapt what they read (live Describe calls in
the handler, snapshot records in ``verify``) to them.

Two entry points:

* :func:`eni_status` judges one Lambda ENI: it needs a public IP, and when an
  allow-list is given, that IP must be on it. ``verify`` uses only this.
* :func:`reconcile` is the guard's whole decision for one account and region:
  for every mapping target (subnet + security-group set -> allocations), which
  bare ENI gets which free allocation, and what is drift it cannot fix. It
  never hands out an allocation that is associated with anything else (no
  stealing); an allocation still held by the NAT gateway the plan frees it
  from is *waiting*, not drift, until that NAT lets it go.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

# Actions a decision can carry. Only "associate" changes anything.
ASSOCIATE = "associate"
OK = "ok"
DRIFT = "drift"
WAIT = "wait"  # an allocation still held by the NAT gateway the plan frees it from (maintenance window)
IDLE = "idle"  # a target with no Lambda ENI now; the next ENI Lambda creates is associated then
IGNORE = "ignore"  # not the guard's business (not a Lambda ENI, or an unguarded subnet / security-group set)

# ENI statuses (eni_status) and drift reasons.
NO_PUBLIC_IP = "no-public-ip"
IP_NOT_ALLOWED = "public-ip-not-allowed"
NO_FREE_ALLOCATION = "no-free-allocation"
ALLOCATION_ELSEWHERE = "allocation-associated-elsewhere"
ALLOCATION_MISSING = "allocation-not-found"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Eni:
    """One network interface as Describe (or a snapshot) shows it."""

    eni_id: str
    subnet_id: str
    security_group_ids: tuple[str, ...]  # sorted
    interface_type: str = "lambda"
    public_ip: str | None = None
    allocation_id: str | None = None

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        return (self.subnet_id, self.security_group_ids)


@dataclass(frozen=True)
class Address:
    """One Elastic IP as DescribeAddresses shows it; ``network_interface_id`` is where it is associated."""

    allocation_id: str
    public_ip: str | None = None
    association_id: str | None = None
    network_interface_id: str | None = None

    @property
    def associated(self) -> bool:
        return bool(self.association_id or self.network_interface_id)


@dataclass(frozen=True)
class Target:
    """One mapping entry: Lambda's (subnet, security-group set) key and the allocations it may use."""

    subnet_id: str
    security_group_ids: tuple[str, ...]  # sorted
    allocation_ids: tuple[str, ...]
    # allocation id -> the NAT gateways that hold it until the plan frees it (secondary addresses taken
    # off early, the primary one when the NAT is deleted in the maintenance window)
    held_by: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    function_arns: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        return (self.subnet_id, self.security_group_ids)


@dataclass(frozen=True)
class Decision:
    """One line of the guard's log: what it did or decided about one ENI or allocation, and why."""

    action: str
    reason: str
    subnet_id: str
    security_group_ids: tuple[str, ...]
    eni_id: str | None = None
    allocation_id: str | None = None
    public_ip: str | None = None
    detail: str = ""

    @property
    def drift(self) -> bool:
        return self.action == DRIFT


# --------------------------------------------------------------------------- allow-list


def parse_allow_list(entries: Iterable[str]) -> tuple[Network, ...]:
    """Addresses or CIDRs, one per entry; blank entries and ``#`` comments are skipped.

    Raises ``ValueError`` naming the first entry that is neither.
    """
    networks: list[Network] = []
    for raw in entries:
        text = raw.split("#", 1)[0].strip()
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise ValueError(f"{text!r} is not an IP address or CIDR") from None
    return tuple(networks)


def ip_allowed(ip: str, allowed: Sequence[Network]) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(address.version == net.version and address in net for net in allowed)


def eni_status(eni: Eni, allowed: Sequence[Network] | None) -> str:
    """OK, NO_PUBLIC_IP or IP_NOT_ALLOWED; ``allowed=None`` accepts any public IP."""
    if not eni.public_ip:
        return NO_PUBLIC_IP
    if allowed is not None and not ip_allowed(eni.public_ip, allowed):
        return IP_NOT_ALLOWED
    return OK


# --------------------------------------------------------------------------- the guard's decision


def _decision(target: Target, action: str, reason: str, **extra: str | None) -> Decision:
    return Decision(action=action, reason=reason, subnet_id=target.subnet_id,
                    security_group_ids=target.security_group_ids, **extra)  # type: ignore[arg-type]


def _allocation_states(
    target: Target, addresses: Mapping[str, Address], own_enis: set[str], nat_holdings: Mapping[str, str]
) -> tuple[list[str], list[Decision]]:
    """The target's free allocations (in mapping order), and a decision for each that is not usable."""
    free: list[str] = []
    decisions: list[Decision] = []
    for alloc in target.allocation_ids:
        address = addresses.get(alloc)
        if address is None:
            decisions.append(_decision(target, DRIFT, ALLOCATION_MISSING, allocation_id=alloc,
                                       detail="the allocation does not exist (released?) in this account and region"))
        elif not address.associated:
            free.append(alloc)
        elif address.network_interface_id in own_enis:
            continue  # in use by this target: its ENI's decision says so
        elif nat_holdings.get(alloc) in target.held_by.get(alloc, ()):
            decisions.append(_decision(
                target, WAIT, "held-by-nat-until-window", allocation_id=alloc, public_ip=address.public_ip,
                detail=f"{nat_holdings[alloc]} holds it until the plan frees it; associated after that"))
        else:
            where = nat_holdings.get(alloc) or address.network_interface_id or "another resource"
            decisions.append(_decision(
                target, DRIFT, ALLOCATION_ELSEWHERE, allocation_id=alloc, public_ip=address.public_ip,
                eni_id=address.network_interface_id,
                detail=f"associated with {where}, not with an ENI of this target; not taken from it"))
    return free, decisions


def _reconcile_target(
    target: Target,
    enis: Sequence[Eni],
    addresses: Mapping[str, Address],
    allowed: Sequence[Network],
    nat_holdings: Mapping[str, str],
) -> list[Decision]:
    own = sorted(enis, key=lambda e: e.eni_id)
    free, decisions = _allocation_states(target, addresses, {e.eni_id for e in own}, nat_holdings)
    if not own:
        return [*decisions, _decision(target, IDLE, "no-lambda-eni",
                                      detail="no Lambda ENI now; the next one Lambda creates is associated")]
    bare = [e for e in own if not e.public_ip]
    waiting = [d for d in decisions if d.action == WAIT]
    for eni in own:
        status = eni_status(eni, allowed)
        if status == OK:
            decisions.append(_decision(target, OK, "public-ip-allowed", eni_id=eni.eni_id,
                                       allocation_id=eni.allocation_id, public_ip=eni.public_ip))
        elif status == IP_NOT_ALLOWED:
            decisions.append(_decision(target, DRIFT, IP_NOT_ALLOWED, eni_id=eni.eni_id,
                                       allocation_id=eni.allocation_id, public_ip=eni.public_ip,
                                       detail="its public IP is not on the allow-list"))
    for index, eni in enumerate(bare):
        if index < len(free):
            decisions.append(_decision(target, ASSOCIATE, "bare-lambda-eni", eni_id=eni.eni_id,
                                       allocation_id=free[index]))
        elif index < len(free) + len(waiting):
            held = waiting[index - len(free)]
            decisions.append(_decision(target, WAIT, "allocation-held-by-nat", eni_id=eni.eni_id,
                                       allocation_id=held.allocation_id, detail=held.detail))
        else:
            decisions.append(_decision(
                target, DRIFT, NO_FREE_ALLOCATION, eni_id=eni.eni_id,
                detail=f"{len(own)} Lambda ENIs, {len(target.allocation_ids)} allocations mapped, "
                       f"{len(bare) - len(free) - len(waiting)} ENI(s) without an address"))
    return decisions


def reconcile(
    targets: Sequence[Target],
    enis: Sequence[Eni],
    addresses: Mapping[str, Address],
    *,
    extra_allowed: Sequence[Network] = (),
    nat_holdings: Mapping[str, str] | None = None,
) -> tuple[Decision, ...]:
    """Every decision for one account and region, targets in order, ENIs by id within a target.

    ``addresses`` holds the mapped allocations that exist; ``nat_holdings`` maps an allocation to the
    NAT gateway that holds it now (for the mapped allocations of ``Target.held_by``). The allow-list is
    the live addresses of every mapped allocation plus ``extra_allowed``. ENIs that are not Lambda's, or
    whose (subnet, security-group set) is not a target, get no decision here (see :func:`unguarded`).
    """
    holdings = nat_holdings or {}
    allowed = (*extra_allowed, *(ipaddress.ip_network(a.public_ip) for a in addresses.values() if a.public_ip))
    by_key: dict[tuple[str, tuple[str, ...]], list[Eni]] = {}
    for eni in enis:
        if eni.interface_type == "lambda":
            by_key.setdefault(eni.key, []).append(eni)
    decisions: list[Decision] = []
    for target in targets:
        decisions += _reconcile_target(target, by_key.get(target.key, []), addresses, allowed, holdings)
    return tuple(decisions)


def unguarded(eni: Eni, targets: Sequence[Target]) -> Decision | None:
    """Why the guard leaves ``eni`` alone (not Lambda's, or not a mapped key); None when it is guarded."""
    if eni.interface_type != "lambda":
        reason = f"not-a-lambda-eni ({eni.interface_type})"
    elif eni.key not in {t.key for t in targets}:
        subnets = {t.subnet_id for t in targets}
        reason = "unguarded-security-groups" if eni.subnet_id in subnets else "unguarded-subnet"
    else:
        return None
    return Decision(action=IGNORE, reason=reason, subnet_id=eni.subnet_id,
                    security_group_ids=eni.security_group_ids, eni_id=eni.eni_id, public_ip=eni.public_ip)
