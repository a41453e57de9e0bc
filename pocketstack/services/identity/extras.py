"""Smaller Identity extensions: OS-OAUTH1 consumers, policies, domain-specific configuration
and OS-EP-FILTER endpoint groups with project associations."""

from __future__ import annotations

import copy
import json
import secrets
from typing import Any

from cryptography.fernet import MultiFernet
from sqlalchemy.orm import Session

from pocketstack.common import exceptions as exc
from pocketstack.common.ids import new_id
from pocketstack.db.engine import Database
from pocketstack.db.models.identity import (
    Consumer,
    DomainConfig,
    Endpoint,
    EndpointGroup,
    Policy,
    Project,
    ProjectEndpoint,
)
from pocketstack.db.repositories.identity.catalog import (
    EndpointGroupRepo,
    EndpointRepo,
    ProjectEndpointRepo,
)
from pocketstack.db.repositories.identity.extras import (
    ConsumerRepo,
    DomainConfigRepo,
    PolicyRepo,
)
from pocketstack.db.repositories.identity.resources import DomainRepo, ProjectRepo
from pocketstack.services.identity.passwords import Hasher


# -- OS-OAUTH1 consumers ---------------------------------------------------------------------
class ConsumerService:
    """Consumers' secrets are shown once, at creation; only a hash is kept."""

    def __init__(self, db: Database, hasher: Hasher) -> None:
        self.db = db
        self.hasher = hasher

    def create(self, data: dict[str, Any]) -> tuple[Consumer, str]:
        data.pop("id", None)
        data.pop("secret", None)
        secret = secrets.token_hex(16)
        hashed = self.hasher.hash(secret)
        with self.db.write() as s:
            consumer = Consumer(id=new_id(), description=data.pop("description", None),
                                secret_hash=hashed, extra=data)
            return ConsumerRepo(s).add(consumer), secret

    @staticmethod
    def _get(s: Session, consumer_id: str) -> Consumer:
        consumer = ConsumerRepo(s).get(consumer_id)
        if consumer is None:
            raise exc.NotFound(f"Could not find Consumer: {consumer_id}.")
        return consumer

    def get(self, consumer_id: str) -> Consumer:
        with self.db.read() as s:
            return self._get(s, consumer_id)

    def list(self) -> list[Consumer]:
        with self.db.read() as s:
            return list(ConsumerRepo(s).find(order_by=Consumer.id))

    def update(self, consumer_id: str, data: dict[str, Any]) -> Consumer:
        if "secret" in data:
            raise exc.ValidationError("Invalid input for field 'secret': the secret of a "
                                      "consumer cannot be changed.")
        with self.db.write() as s:
            consumer = self._get(s, consumer_id)
            if data.pop("id", consumer_id) != consumer_id:
                raise exc.ValidationError("Cannot change the consumer ID.")
            if "description" in data:
                consumer.description = data.pop("description")
            consumer.extra = {**(consumer.extra or {}), **data}
            return consumer

    def delete(self, consumer_id: str) -> None:
        with self.db.write() as s:
            ConsumerRepo(s).delete(self._get(s, consumer_id))


# -- policies ----------------------------------------------------------------------------
class PolicyService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, data: dict[str, Any]) -> Policy:
        data.pop("id", None)
        with self.db.write() as s:
            policy = Policy(id=new_id(), type=data.pop("type"), blob=data.pop("blob"),
                            extra=data)
            return PolicyRepo(s).add(policy)

    @staticmethod
    def _get(s: Session, policy_id: str) -> Policy:
        policy = PolicyRepo(s).get(policy_id)
        if policy is None:
            raise exc.NotFound(f"Could not find policy: {policy_id}.")
        return policy

    def get(self, policy_id: str) -> Policy:
        with self.db.read() as s:
            return self._get(s, policy_id)

    def list(self, type_: str | None = None) -> list[Policy]:
        with self.db.read() as s:
            where = [] if type_ is None else [Policy.type == type_]
            return list(PolicyRepo(s).find(*where, order_by=Policy.id))

    def update(self, policy_id: str, data: dict[str, Any]) -> Policy:
        with self.db.write() as s:
            policy = self._get(s, policy_id)
            if data.pop("id", policy_id) != policy_id:
                raise exc.ValidationError("Cannot change the policy ID.")
            for key in ("type", "blob"):
                if key in data:
                    setattr(policy, key, data.pop(key))
            policy.extra = {**(policy.extra or {}), **data}
            return policy

    def delete(self, policy_id: str) -> None:
        with self.db.write() as s:
            PolicyRepo(s).delete(self._get(s, policy_id))


# -- domain-specific configuration --------------------------------------------------------
# What Keystone lets a domain configure, and Keystone's defaults for those options.
WHITELISTED: dict[str, tuple[str, ...]] = {
    "identity": ("driver", "list_limit"),
    "ldap": (
        "url", "user", "suffix", "query_scope", "page_size", "alias_dereferencing",
        "debug_level", "chase_referrals", "user_tree_dn", "user_filter", "user_objectclass",
        "user_id_attribute", "user_name_attribute", "user_mail_attribute",
        "user_description_attribute", "user_pass_attribute", "user_enabled_attribute",
        "user_enabled_invert", "user_enabled_mask", "user_enabled_default",
        "user_attribute_ignore", "user_default_project_id_attribute", "user_enabled_emulation",
        "user_enabled_emulation_dn", "user_enabled_emulation_use_group_config",
        "user_additional_attribute_mapping", "group_tree_dn", "group_filter",
        "group_objectclass", "group_id_attribute", "group_name_attribute",
        "group_members_are_ids", "group_member_attribute", "group_desc_attribute",
        "group_attribute_ignore", "group_additional_attribute_mapping", "tls_cacertfile",
        "tls_cacertdir", "use_tls", "tls_req_cert", "use_pool", "pool_size", "pool_retry_max",
        "pool_retry_delay", "pool_connection_timeout", "pool_connection_lifetime",
        "use_auth_pool", "auth_pool_size", "auth_pool_connection_lifetime",
    ),
}
SENSITIVE: dict[str, tuple[str, ...]] = {"identity": (), "ldap": ("password",)}
DEFAULTS: dict[str, dict[str, Any]] = {
    "identity": {"driver": "sql", "list_limit": None},
    "ldap": {
        "url": "ldap://localhost", "user": None, "suffix": "cn=example,cn=com",
        "query_scope": "one", "page_size": 0, "alias_dereferencing": "default",
        "debug_level": None, "chase_referrals": None, "user_tree_dn": None,
        "user_filter": None, "user_objectclass": "inetOrgPerson", "user_id_attribute": "cn",
        "user_name_attribute": "sn", "user_mail_attribute": "mail",
        "user_description_attribute": "description", "user_pass_attribute": "userPassword",
        "user_enabled_attribute": "enabled", "user_enabled_invert": False,
        "user_enabled_mask": 0, "user_enabled_default": "True",
        "user_attribute_ignore": ["default_project_id"],
        "user_default_project_id_attribute": None, "user_enabled_emulation": False,
        "user_enabled_emulation_dn": None, "user_enabled_emulation_use_group_config": False,
        "user_additional_attribute_mapping": [], "group_tree_dn": None, "group_filter": None,
        "group_objectclass": "groupOfNames", "group_id_attribute": "cn",
        "group_name_attribute": "ou", "group_members_are_ids": False,
        "group_member_attribute": "member", "group_desc_attribute": "description",
        "group_attribute_ignore": [], "group_additional_attribute_mapping": [],
        "tls_cacertfile": None, "tls_cacertdir": None, "use_tls": False,
        "tls_req_cert": "demand", "use_pool": True, "pool_size": 10, "pool_retry_max": 3,
        "pool_retry_delay": 0.1, "pool_connection_timeout": -1,
        "pool_connection_lifetime": 600, "use_auth_pool": True, "auth_pool_size": 100,
        "auth_pool_connection_lifetime": 60,
    },
}


def _invalid(reason: str) -> exc.Forbidden:
    return exc.Forbidden(f"Invalid domain specific configuration: {reason}.")


def _config_not_found(domain_id: str, what: str) -> exc.NotFound:
    return exc.NotFound(f"Could not find {what} in domain configuration for domain "
                        f"{domain_id}.")


def _what(group: str | None, option: str | None) -> str:
    if option:
        return f"option {option} in group {group}"
    return f"group {group}" if group else "any options"


class DomainConfigService:
    """Keystone's domain config manager: the groups 'identity' and 'ldap', whitelisted
    options (shown) and sensitive ones (stored encrypted, never shown)."""

    def __init__(self, db: Database, fernet: MultiFernet) -> None:
        self.db = db
        self.fernet = fernet

    @staticmethod
    def check_group_option(group: str | None, option: str | None) -> None:
        if group and group not in WHITELISTED and group not in SENSITIVE:
            raise _invalid(f"Group {group} is not supported for domain specific "
                           "configurations")
        if group and option and option not in WHITELISTED.get(group, ()) \
                and option not in SENSITIVE.get(group, ()):
            raise _invalid(f"Option {option} in group {group} is not supported for domain "
                           "specific configurations")

    def check_config(self, config: dict[str, Any]) -> None:
        if not config:
            raise _invalid("No options specified")
        for group, options in config.items():
            if not options or not isinstance(options, dict):
                raise _invalid(f"The value of group {group} specified in the config should "
                               "be a dictionary of options")
            for option in options:
                self.check_group_option(group, option)

    def _store(self, group: str, option: str, value: Any) -> Any:
        if option in SENSITIVE.get(group, ()):
            text = self.fernet.encrypt(json.dumps(value).encode("utf-8")).decode("ascii")
            return {"encrypted": text}
        return value

    @staticmethod
    def _domain(s: Session, domain_id: str) -> None:
        if DomainRepo(s).get(domain_id) is None:
            raise exc.NotFound(f"Could not find domain: {domain_id}.")

    @staticmethod
    def _rows(s: Session, domain_id: str) -> list[DomainConfig]:
        return list(DomainConfigRepo(s).find(DomainConfig.domain_id == domain_id))

    @staticmethod
    def _visible(rows: list[DomainConfig]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for row in rows:
            if row.option in WHITELISTED.get(row.group, ()):
                out.setdefault(row.group, {})[row.option] = row.value
        return out

    def _write(self, s: Session, domain_id: str, config: dict[str, Any]) -> None:
        repo = DomainConfigRepo(s)
        for group, options in config.items():
            for option, value in options.items():
                row = repo.get((domain_id, group, option))
                if row is None:
                    repo.add(DomainConfig(domain_id=domain_id, group=group, option=option,
                                          value=self._store(group, option, value)))
                else:
                    row.value = self._store(group, option, value)
        repo.flush()

    def create(self, domain_id: str, config: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """PUT: replace the whole config. Returns (config, created)."""
        self.check_config(config)
        with self.db.write() as s:
            self._domain(s, domain_id)
            existed = bool(self._rows(s, domain_id))
            DomainConfigRepo(s).delete_where(DomainConfig.domain_id == domain_id)
            s.flush()
            self._write(s, domain_id, config)
            return self._visible(self._rows(s, domain_id)), not existed

    def get(self, domain_id: str, group: str | None = None,
            option: str | None = None) -> dict[str, Any]:
        self.check_group_option(group, option)
        with self.db.read() as s:
            self._domain(s, domain_id)
            visible = self._visible(self._rows(s, domain_id))
        if group is None:
            if visible:
                return visible
        elif option is None:
            if group in visible:
                return {group: visible[group]}
        elif option in visible.get(group, {}):
            return {option: visible[group][option]}
        raise _config_not_found(domain_id, _what(group, option))

    def update(self, domain_id: str, config: dict[str, Any], group: str | None = None,
               option: str | None = None) -> dict[str, Any]:
        """PATCH: merge into the config; a group or option in the path must already exist."""
        update = {group: config} if group and option else config
        self.check_config(update)
        self.check_group_option(group, option)
        if group:
            self._check_targeted(update, group, option)
        with self.db.write() as s:
            self._domain(s, domain_id)
            current = {(r.group, r.option) for r in self._rows(s, domain_id)}
            if group and (option and (group, option) not in current
                          or not any(g == group for g, _ in current)):
                raise _config_not_found(domain_id, _what(group, option))
            self._write(s, domain_id, update)
            visible = self._visible(self._rows(s, domain_id))
        if not visible:
            raise _config_not_found(domain_id, "any options")
        return visible

    @staticmethod
    def _check_targeted(update: dict[str, Any], group: str, option: str | None) -> None:
        if len(update) != 1 or (option and len(next(iter(update.values()))) != 1):
            what = f"option {option} in group {group}" if option else f"group {group}"
            raise _invalid(f"Trying to update {what}, so that, and only that, "
                           f"{'option' if option else 'group'} must be specified in the config")
        if group not in update:
            raise _invalid(f"request to update group {group}, but config provided contains "
                           f"group {next(iter(update))} instead")
        if option and option not in update[group]:
            raise _invalid(f"Trying to update option {option} in group {group}, but config "
                           f"provided contains option {next(iter(update[group]))} instead")

    def delete(self, domain_id: str, group: str | None = None,
               option: str | None = None) -> None:
        self.check_group_option(group, option)
        with self.db.write() as s:
            self._domain(s, domain_id)
            rows = self._rows(s, domain_id)
            if group:
                rows = [r for r in rows if r.group == group]
                if option:
                    rows = [r for r in rows if r.option == option]
                if not rows:
                    raise _config_not_found(domain_id, _what(group, option))
            for row in rows:
                s.delete(row)
            s.flush()

    def default(self, group: str | None = None, option: str | None = None) -> dict[str, Any]:
        self.check_group_option(group, option)
        if group and option:
            if option not in WHITELISTED.get(group, ()):
                raise _invalid(f"Reading the default for option {option} in group {group} is "
                               "not supported")
            return {option: copy.deepcopy(DEFAULTS[group][option])}
        groups = [group] if group else list(WHITELISTED)
        return {g: {o: copy.deepcopy(DEFAULTS[g][o]) for o in WHITELISTED[g]} for g in groups}

    def security_compliance(self, domain_id: str, option: str | None = None) -> dict[str, Any]:
        """GET /v3/domains/{id}/config/security_compliance[/{option}] (any user may read)."""
        with self.db.read() as s:
            self._domain(s, domain_id)
        if domain_id != "default":
            raise _invalid("Reading security compliance information for any domain other than "
                           "the default domain is not allowed or supported")
        readable = {"password_regex": None, "password_regex_description": None}
        if option is None:
            return {"security_compliance": readable}
        if option not in readable:
            raise _invalid("Reading security compliance values other than password_regex and "
                           "password_regex_description is not allowed")
        return {option: readable[option]}


# -- OS-EP-FILTER ------------------------------------------------------------------------
FILTER_KEYS = ("service_id", "region_id", "interface")


class EndpointGroupService:
    def __init__(self, db: Database) -> None:
        self.db = db

    @staticmethod
    def _check_filters(filters: Any) -> None:
        if not filters or not isinstance(filters, dict):
            raise exc.ValidationError("filters field is required and cannot be empty")
        for key in filters:
            if key not in FILTER_KEYS:
                raise exc.ValidationError(
                    f"Invalid input for field 'filters': '{key}' is not one of "
                    f"{' or '.join(FILTER_KEYS)}.")

    def create(self, data: dict[str, Any]) -> EndpointGroup:
        data.pop("id", None)
        self._check_filters(data.get("filters"))
        with self.db.write() as s:
            group = EndpointGroup(id=new_id(), name=data.pop("name"),
                                  description=data.pop("description", None),
                                  filters=data.pop("filters"))
            return EndpointGroupRepo(s).add(group)

    @staticmethod
    def _group(s: Session, group_id: str) -> EndpointGroup:
        group = EndpointGroupRepo(s).get(group_id)
        if group is None:
            raise exc.NotFound(f"Could not find Endpoint Group: {group_id}.")
        return group

    @staticmethod
    def _project(s: Session, project_id: str) -> Project:
        project = ProjectRepo(s).get(project_id)
        if project is None:
            raise exc.NotFound(f"Could not find project: {project_id}.")
        return project

    @staticmethod
    def _endpoint(s: Session, endpoint_id: str) -> Endpoint:
        endpoint = EndpointRepo(s).get(endpoint_id)
        if endpoint is None:
            raise exc.NotFound(f"Could not find endpoint: {endpoint_id}.")
        return endpoint

    def get(self, group_id: str) -> EndpointGroup:
        with self.db.read() as s:
            return self._group(s, group_id)

    def list(self, name: str | None = None) -> list[EndpointGroup]:
        with self.db.read() as s:
            where = [] if name is None else [EndpointGroup.name == name]
            return list(EndpointGroupRepo(s).find(*where, order_by=EndpointGroup.id))

    def update(self, group_id: str, data: dict[str, Any]) -> EndpointGroup:
        if "filters" in data:
            self._check_filters(data["filters"])
        with self.db.write() as s:
            group = self._group(s, group_id)
            if data.pop("id", group_id) != group_id:
                raise exc.ValidationError("Cannot change the endpoint group ID.")
            for key in ("name", "description", "filters"):
                if key in data:
                    setattr(group, key, data.pop(key))
            return group

    def delete(self, group_id: str) -> None:
        with self.db.write() as s:
            group = self._group(s, group_id)
            ProjectEndpointRepo(s).delete_where(ProjectEndpoint.endpoint_group_id == group_id)
            EndpointGroupRepo(s).delete(group)

    # -- group <-> project --------------------------------------------------------------
    @staticmethod
    def _matches(endpoint: Endpoint, filters: dict[str, Any]) -> bool:
        return all(getattr(endpoint, key) == value for key, value in filters.items())

    def endpoints_of_group(self, group_id: str) -> list[Endpoint]:
        with self.db.read() as s:
            group = self._group(s, group_id)
            return [e for e in EndpointRepo(s).find() if self._matches(e, group.filters or {})]

    def projects_of_group(self, group_id: str) -> set[str]:
        """Ids of the projects associated with an endpoint group."""
        with self.db.read() as s:
            self._group(s, group_id)
            rows = ProjectEndpointRepo(s).find(ProjectEndpoint.endpoint_group_id == group_id,
                                               ProjectEndpoint.endpoint_id == "")
            return {r.project_id for r in rows}

    def groups_of_project(self, project_id: str) -> list[EndpointGroup]:
        with self.db.read() as s:
            self._project(s, project_id)
            rows = ProjectEndpointRepo(s).find(ProjectEndpoint.project_id == project_id,
                                               ProjectEndpoint.endpoint_group_id != "")
            return list(EndpointGroupRepo(s).by_ids([r.endpoint_group_id for r in rows]))

    def add_group(self, group_id: str, project_id: str) -> None:
        with self.db.write() as s:
            self._project(s, project_id)
            self._group(s, group_id)
            ProjectEndpointRepo(s).add(
                ProjectEndpoint(project_id=project_id, endpoint_id="",
                                endpoint_group_id=group_id),
                conflict="Conflict occurred attempting to store project_endpoint_group - "
                f"Endpoint group {group_id} is already associated with project {project_id}.")

    def _association(self, s: Session, group_id: str, project_id: str) -> ProjectEndpoint:
        self._project(s, project_id)
        self._group(s, group_id)
        row = ProjectEndpointRepo(s).get((project_id, "", group_id))
        if row is None:
            raise exc.NotFound(f"Could not find Endpoint Group Project Association: "
                               f"{group_id} - {project_id}.")
        return row

    def check_group(self, group_id: str, project_id: str) -> None:
        with self.db.read() as s:
            self._association(s, group_id, project_id)

    def remove_group(self, group_id: str, project_id: str) -> None:
        with self.db.write() as s:
            ProjectEndpointRepo(s).delete(self._association(s, group_id, project_id))

    # -- endpoint <-> project -----------------------------------------------------------
    def add_endpoint(self, project_id: str, endpoint_id: str) -> None:
        with self.db.write() as s:
            self._endpoint(s, endpoint_id)
            self._project(s, project_id)
            ProjectEndpointRepo(s).add(
                ProjectEndpoint(project_id=project_id, endpoint_id=endpoint_id,
                                endpoint_group_id=""),
                conflict="Conflict occurred attempting to store project_endpoint - Endpoint "
                f"{endpoint_id} is already associated with project {project_id}.")

    def _endpoint_row(self, s: Session, project_id: str, endpoint_id: str) -> ProjectEndpoint:
        row = ProjectEndpointRepo(s).get((project_id, endpoint_id, ""))
        if row is None:
            raise exc.NotFound(f"Could not find endpoint {endpoint_id} associated with "
                               f"project {project_id}.")
        return row

    def check_endpoint(self, project_id: str, endpoint_id: str) -> None:
        with self.db.read() as s:
            self._endpoint(s, endpoint_id)
            self._project(s, project_id)
            self._endpoint_row(s, project_id, endpoint_id)

    def remove_endpoint(self, project_id: str, endpoint_id: str) -> None:
        with self.db.write() as s:
            ProjectEndpointRepo(s).delete(self._endpoint_row(s, project_id, endpoint_id))

    def endpoints_of_project(self, project_id: str) -> list[Endpoint]:
        """Endpoints associated directly and through endpoint groups."""
        with self.db.read() as s:
            self._project(s, project_id)
            rows = ProjectEndpointRepo(s).find(ProjectEndpoint.project_id == project_id)
            direct = {r.endpoint_id for r in rows if r.endpoint_id}
            groups = EndpointGroupRepo(s).by_ids(
                [r.endpoint_group_id for r in rows if r.endpoint_group_id])
            out: dict[str, Endpoint] = {}
            for endpoint in EndpointRepo(s).find():
                if endpoint.id in direct or any(
                        self._matches(endpoint, g.filters or {}) for g in groups):
                    out[endpoint.id] = endpoint
            return list(out.values())

    def projects_of_endpoint(self, endpoint_id: str) -> set[str]:
        """Ids of the projects an endpoint is directly associated with."""
        with self.db.read() as s:
            self._endpoint(s, endpoint_id)
            rows = ProjectEndpointRepo(s).find(ProjectEndpoint.endpoint_id == endpoint_id)
            return {r.project_id for r in rows}
