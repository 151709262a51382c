"""Who belongs to which AWS Organization and OU, read from moto's Organizations (the one source of truth)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from twin.moto_compat import OrganizationsResponse, organizations_backends

if TYPE_CHECKING:
    from twin.faults import Faults


@dataclass(frozen=True)
class Membership:
    org_id: str
    org_arn: str
    management_account: str
    # aws:PrincipalOrgPaths form: "o-xxx/r-xxx/ou-aaa/ou-bbb/"
    path: str
    ou_ids: tuple[str, ...]

    def in_ou(self, ou_id: str) -> bool:
        return ou_id in self.ou_ids


def _backend_of(account: str) -> Any:
    management = organizations_backends.master_accounts.get(account, (account, "aws"))[0]
    if management not in organizations_backends:
        return None
    backend = organizations_backends[management]["aws"]
    return backend if backend.org is not None else None


def membership(account: str) -> Membership | None:
    """The account's organization and OU path, or None when it is in no organization."""
    backend = _backend_of(account)
    if backend is None:
        return None
    found = next((a for a in backend.accounts if a.id == account), None)
    if found is None:
        return None
    parents = {ou.id: ou.parent_id for ou in backend.ou}
    chain: list[str] = []
    node: str | None = found.parent_id
    while node is not None:
        chain.append(node)
        node = parents.get(node)
    chain.reverse()  # root first
    org = backend.org
    return Membership(
        org_id=org.id,
        org_arn=org.arn,
        management_account=org.master_account_id,
        path=f"{org.id}/" + "".join(f"{node}/" for node in chain),
        ou_ids=tuple(n for n in chain if n.startswith("ou-")),
    )


def ou_exists(management_account: str, ou_id: str) -> bool:
    backend = _backend_of(management_account)
    return backend is not None and any(ou.id == ou_id for ou in backend.ou)


RAM_PRINCIPAL = "ram.amazonaws.com"


def trusted_access(management_account: str, service_principal: str) -> bool:
    """Is the service trusted by the organization (organizations:EnableAWSServiceAccess)?"""
    backend = _backend_of(management_account)
    return backend is not None and any(s["ServicePrincipal"] == service_principal for s in backend.services)


def enable_trusted_access(management_account: str, service_principal: str) -> None:
    """What a service such as RAM does when a management account turns on sharing with the organization."""
    backend = _backend_of(management_account)
    if backend is not None:
        backend.enable_aws_service_access(ServicePrincipal=service_principal)


def page_trusted_services(faults: Faults) -> Callable[[], None]:
    """ListAWSServiceAccessForOrganization in pages. moto answers it in one; AWS pages it ("A NextToken response
    indicates that more output is available": its NextToken member) and documents no page size, so the twin pages
    it as its own fakes page, cut to the fault plan's `max_page_size` (docs/aws-assumptions.md)."""
    original = OrganizationsResponse.list_aws_service_access_for_organization

    def paged(self: Any) -> str:
        enabled = json.loads(original(self))["EnabledServicePrincipals"]
        start = int(self._get_param("NextToken") or 0)
        end = start + faults.page_size(int(self._get_param("MaxResults") or 20), len(enabled) - start)
        answer: dict[str, Any] = {"EnabledServicePrincipals": enabled[start:end]}
        if end < len(enabled):
            answer["NextToken"] = str(end)
        return json.dumps(answer)

    OrganizationsResponse.list_aws_service_access_for_organization = paged

    def restore() -> None:
        OrganizationsResponse.list_aws_service_access_for_organization = original

    return restore
