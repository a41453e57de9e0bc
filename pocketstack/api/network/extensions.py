"""The API extensions this Networking service implements (GET /v2.0/extensions) — exactly
those, so clients and Tempest see the truth."""

from __future__ import annotations

from typing import Any

UPDATED = "2024-01-01T00:00:00-00:00"

EXTENSIONS: list[tuple[str, str, str]] = [
    ("agent", "agent", "The agent management extension."),
    ("allowed-address-pairs", "Allowed Address Pairs", "Provides allowed address pairs"),
    ("availability_zone", "Availability Zone", "The availability zone extension."),
    ("binding", "Port Binding", "Expose port bindings of a virtual port to external "
     "application"),
    ("default-subnetpools", "Default Subnetpools", "Provides ability to mark and use a "
     "subnetpool as the default."),
    ("dvr", "Distributed Virtual Router", "Enables configuration of Distributed Virtual "
     "Routers."),
    ("empty-string-filtering", "Empty String Filtering Extension", "Allow filtering by "
     "attributes with empty string value"),
    ("external-net", "Neutron external network", "Adds external network attribute to network "
     "resource."),
    ("ext-gw-mode", "Neutron L3 Configurable external gateway mode", "Extension of the router "
     "abstraction for specifying whether SNAT should occur on the external gateway"),
    ("extra_dhcp_opt", "Neutron Extra DHCP options", "Extra options configuration for DHCP. "
     "For example PXE boot options to DHCP clients can be specified (e.g. tftp-server, "
     "server-ip-address, bootfile-name)"),
    ("extraroute", "Neutron Extra Route", "Extra routes configuration for L3 router"),
    ("extraroute-atomic", "Atomically add/remove extra routes", "Edit extra routes of a router "
     "on server side by atomically adding/removing extra routes"),
    ("filter-validation", "Filter parameters validation", "Provides validation on filter "
     "parameters."),
    ("fip-port-details", "Floating IP Port Details Extension", "Add port_details attribute to "
     "Floating IP resource"),
    ("ip-substring-filtering", "IP address substring filtering", "Provides IP address substring "
     "filtering when listing ports"),
    ("l2_adjacency", "L2 Adjacency", "Display L2 Adjacency for Neutron Networks."),
    ("l3-ha", "HA Router extension", "Adds HA capability to routers."),
    ("net-mtu", "Network MTU", "Provides MTU attribute for a network resource."),
    ("net-mtu-writable", "Network MTU (writable)", "Provides a writable MTU attribute for a "
     "network resource."),
    ("network_availability_zone", "Network Availability Zone", "Availability zone support for "
     "network."),
    ("pagination", "Pagination support", "Extension that indicates that pagination is "
     "enabled."),
    ("port-security", "Port Security", "Provides port security"),
    ("port-security-groups-filtering", "Port filtering on security groups", "Provides security "
     "groups filtering when listing ports"),
    ("project-id", "project_id field enabled", "Extension that indicates that project_id field "
     "is enabled."),
    ("provider", "Provider Network", "Expose mapping of virtual networks to physical networks"),
    ("quota_details", "Quota details management support", "Expose functions for quotas usage "
     "statistics per project"),
    ("quotas", "Quota management support", "Expose functions for quotas management per "
     "project"),
    ("rbac-policies", "RBAC Policies", "Allows creation and modification of policies that "
     "control tenant access to resources."),
    ("router", "Neutron L3 Router", "Router abstraction for basic L3 forwarding between L2 "
     "Neutron networks and access to external networks via a NAT gateway."),
    ("router-admin-state-down-before-update", "Enforce Router's Admin State Down Before Update "
     "Extension", "Ensure that the admin state of a router is down (admin_state_up=False) "
     "before updating the distributed attribute"),
    ("router_availability_zone", "Router Availability Zone", "Availability zone support for "
     "router."),
    ("security-group", "security-group", "The security groups extension."),
    ("service-type", "Neutron Service Type Management", "API for retrieving service providers "
     "for Neutron advanced services"),
    ("sorting", "Sorting support", "Extension that indicates that sorting is enabled."),
    ("standard-attr-description", "standard-attr-description", "Extension to add descriptions "
     "to standard attributes"),
    ("standard-attr-revisions", "Resource revision numbers", "This extension will display the "
     "revision number of neutron resources."),
    ("standard-attr-tag", "Tag support for resources with standard attribute: subnet, trunk, "
     "network_segment_range, router, network, policy, subnetpool, port, security_group, "
     "floatingip", "Enables to set tag on resources with standard attribute."),
    ("standard-attr-timestamp", "Resource timestamps", "Adds created_at and updated_at fields "
     "to all Neutron resources that have Neutron standard attributes."),
    ("stateful-security-group", "Stateful security group", "Indicates if the security group is "
     "stateful or not"),
    ("subnet-service-types", "Subnet service types", "Provides ability to set the subnet "
     "service_types field"),
    ("subnet_allocation", "Subnet Allocation", "Enables allocation of subnets from a subnet "
     "pool"),
    ("tag", "Tag support", "Enables to set tag on resources."),
]


def extension(alias: str, name: str, description: str) -> dict[str, Any]:
    return {"alias": alias, "name": name, "description": description, "updated": UPDATED,
            "links": []}


def all_extensions() -> list[dict[str, Any]]:
    return [extension(*e) for e in EXTENSIONS]


def find(alias: str) -> dict[str, Any] | None:
    for e in EXTENSIONS:
        if e[0] == alias:
            return extension(*e)
    return None
