//! The Istio traffic router: its VirtualService configuration and routes (CR-09, CR-10), and
//! `ValidateVirtualService` with the decode checks of the routes.

use super::*;

/// `ValidateRolloutVirtualServicesConfig`: exactly one of virtualService and virtualServices.
pub(super) fn istio_config_ok(istio: &Value) -> bool {
    set(istio, "virtualServices").is_some() != set(istio, "virtualService").is_some()
}

pub static CR_09: Rule = Rule {
    id: "CR-09",
    name: "istio-virtual-service-config",
    severity: Severity::Error,
    doc: "the Istio router needs exactly one of virtualService and virtualServices",
    check: |ctx, sink| {
        each(ctx, sink, |_, sink, rollout, canary| {
            let Some(istio) = routing(canary).and_then(|tr| set(tr, "istio")) else {
                return;
            };
            if !istio_config_ok(istio) {
                sink.report(
                    rollout,
                    &format!("{CANARY}/trafficRouting/istio"),
                    internal(
                        "spec.strategy.canary.trafficRouting.istio",
                        "either VirtualService or VirtualServices must be configured",
                    ),
                )
                .help("name the VirtualService with `virtualService: {name: ...}`, or several with `virtualServices: [...]`, not both");
            }
        })
    },
};

/// `GetVirtualServiceNamespaceName`: `name`, `name.namespace` or `name.namespace.svc.cluster.local`-
/// style references.
pub(super) fn virtual_service_name(reference: &str) -> (Option<&str>, &str) {
    let reference = reference
        .strip_suffix(".cluster.local")
        .unwrap_or(reference);
    match reference.rsplit_once('.') {
        Some((name, namespace)) => (Some(namespace), name),
        None => (None, reference),
    }
}

/// `trafficrouting.GetStableAndCanaryServices(rollout, false)`.
pub(super) fn stable_and_canary<'v>(rollout: &'v Value, canary: &'v Value) -> (&'v str, &'v str) {
    let stable = text(canary, "stableService");
    let canary_svc = text(canary, "canaryService");
    if let Some(pp) = set(canary, "pingPong")
        && stable.is_empty()
        && canary_svc.is_empty()
    {
        let ping = text(pp, "pingService");
        let pong = text(pp, "pongService");
        let stable_ping = rollout
            .lookup("/status/canary/stablePingPong")
            .and_then(Value::as_str)
            == Some("ping");
        return if stable_ping {
            (ping, pong)
        } else {
            (pong, ping)
        };
    }
    (stable, canary_svc)
}

pub static CR_10: Rule = Rule {
    id: "CR-10",
    name: "istio-virtual-service-routes",
    severity: Severity::Error,
    doc: "the Istio VirtualServices must exist and have the routes the Rollout names, each with the stable and canary destinations",
    check: |ctx, sink| {
        each(ctx, sink, |ctx, sink, rollout, canary| {
            let Some(istio) = routing(canary).and_then(|tr| set(tr, "istio")) else {
                return;
            };
            let base = format!("{CANARY}/trafficRouting/istio");
            if let Some(dr) = set(istio, "destinationRule") {
                let name = text(dr, "name");
                if !name.is_empty()
                    && find_in(
                        ctx,
                        "networking.istio.io",
                        "DestinationRule",
                        rollout,
                        None,
                        name,
                    )
                    .is_none()
                {
                    sink.missing(
                        ctx,
                        rollout,
                        &format!("{base}/destinationRule/name"),
                        invalid(
                            "spec.strategy.canary.trafficRouting.istio.destinationRule.name",
                            &json!(name),
                            &not_found("destinationrules.networking.istio.io", name),
                        ),
                    )
                    .help(format!("add the DestinationRule `{name}` with the stable and canary subsets; without it the controller cannot update the subsets (it reports a reconcile error, not an invalid spec)"));
                }
            }
            if !istio_config_ok(istio) {
                return;
            }
            let (entries, path): (Vec<(String, &Value)>, &str) =
                if let Some(list) = set(istio, "virtualServices") {
                    (
                        items(Some(list))
                            .map(|(k, v)| (format!("{base}/virtualServices/{k}"), v))
                            .collect(),
                        "spec.strategy.canary.trafficRouting.istio.virtualServices.name",
                    )
                } else {
                    let vs = set(istio, "virtualService").unwrap_or(&Value::Null);
                    (
                        vec![(format!("{base}/virtualService"), vs)],
                        "spec.strategy.canary.trafficRouting.istio.virtualService.name",
                    )
                };
            let (stable, canary_svc) = stable_and_canary(&rollout.value, canary);
            let managed: Vec<&str> = items(routing(canary).and_then(|tr| tr.get("managedRoutes")))
                .map(|(_, r)| text(r, "name"))
                .collect();
            let subsets = set(istio, "destinationRule")
                .map(|dr| (text(dr, "stableSubsetName"), text(dr, "canarySubsetName")));
            let routes = Routes {
                stable,
                canary: canary_svc,
                subsets,
                managed: &managed,
            };
            for (at, entry) in entries {
                let (namespace, name) = virtual_service_name(text(entry, "name"));
                let at = key_or(&at, entry, "name");
                let Some(vs) = find_in(
                    ctx,
                    "networking.istio.io",
                    "VirtualService",
                    rollout,
                    namespace,
                    name,
                ) else {
                    sink.missing(
                        ctx,
                        rollout,
                        &at,
                        invalid(
                            path,
                            &json!(name),
                            &not_found("virtualservices.networking.istio.io", name),
                        ),
                    )
                    .help(format!(
                        "add the VirtualService `{name}` to the manifests, or fix the name"
                    ));
                    continue;
                };
                for detail in routes.problems(entry, &vs.value) {
                    sink.report(rollout, &at, invalid(path, &json!(name), &detail))
                        .help(format!("make the routes of VirtualService `{name}` that the Rollout names (or its only route) send traffic to both the stable and the canary destination"));
                }
            }
        })
    },
};

// ---------------------------------------------------------------------------------------------
// Istio VirtualService routes (`ValidateVirtualService`)

/// What the route checks of one Rollout need.
pub(super) struct Routes<'v> {
    stable: &'v str,
    canary: &'v str,
    /// `istio.destinationRule`: (stableSubsetName, canarySubsetName).
    subsets: Option<(&'v str, &'v str)>,
    /// The names in `trafficRouting.managedRoutes`.
    managed: &'v [&'v str],
}

impl Routes<'_> {
    /// The controller's messages for one VirtualService named by `entry` (an item of
    /// `virtualServices`, or `virtualService`).
    fn problems(&self, entry: &Value, vs: &Value) -> Vec<String> {
        let spec = vs.get("spec").unwrap_or(&Value::Null);
        let list = |k: &str| spec.get(k).and_then(Value::as_array);
        let (http, tls, tcp) = (list("http"), list("tls"), list("tcp"));
        let mut out = Vec::new();
        if http.is_none() && tls.is_none() && tcp.is_none() {
            out.push(
                "Unable to get any of the HTTP, TCP or TLS routes for the Istio VirtualService"
                    .to_owned(),
            );
        }
        if let Some(http) = http {
            if !http.iter().all(http_route_decodes) {
                out.push("Unable to get HTTP routes for Istio VirtualService".to_owned());
            } else if let Err(e) = self.http(entry, http) {
                out.push(format!(
                    "Istio VirtualService has invalid HTTP routes. Error: {e}"
                ));
            }
        }
        if let Some(tls) = tls {
            if !tls.iter().all(tls_route_decodes) {
                out.push("Unable to get TLS routes for Istio VirtualService".to_owned());
            } else if let Err(e) = self.l4(entry, tls, true) {
                out.push(format!(
                    "Istio VirtualService has invalid TLS routes. Error: {e}"
                ));
            }
        }
        if let Some(tcp) = tcp {
            if !tcp.iter().all(tcp_route_decodes) {
                out.push("Unable to get TCP routes for Istio VirtualService".to_owned());
            } else if let Err(e) = self.l4(entry, tcp, false) {
                out.push(format!(
                    "Istio VirtualService has invalid TCP routes. Error: {e}"
                ));
            }
        }
        out
    }

    /// `ValidateHTTPRoutes`.
    fn http(&self, entry: &Value, routes: &[Value]) -> Result<(), String> {
        let names: Vec<&str> = items(entry.get("routes"))
            .map(|(_, v)| v.as_str().unwrap_or(""))
            .collect();
        let route_name = |r: &Value| text(r, "name").to_owned();
        // `getHttpRouteIndexesToPatch`.
        let mut indexes = Vec::new();
        if names.is_empty() {
            if routes.len() == 1 {
                indexes.push(0);
            } else if let Some(i) = routes.iter().position(|r| route_name(r).is_empty()) {
                indexes.push(i);
            }
        } else {
            for name in &names {
                match routes.iter().position(|r| route_name(r) == *name) {
                    Some(i) => indexes.push(i),
                    None => {
                        return Err(format!(
                            "HTTP Route '{name}' is not found in the defined Virtual Service."
                        ));
                    }
                }
            }
        }
        for i in indexes {
            self.destinations(&routes[i])?;
        }
        let unmanaged = routes
            .iter()
            .filter(|r| !self.managed.contains(&text(r, "name")))
            .count();
        if names.is_empty() && unmanaged > 1 {
            return Err("spec.http[] should be set in VirtualService and it must have exactly one route when omitting spec.strategy.canary.trafficRouting.istio.virtualService.routes".to_owned());
        }
        Ok(())
    }

    /// `ValidateTlsRoutes` / `ValidateTcpRoutes`: routes are chosen by port (and SNI hosts).
    fn l4(&self, entry: &Value, routes: &[Value], tls: bool) -> Result<(), String> {
        let (key, kind, field) = if tls {
            ("tlsRoutes", "TLS", "tls")
        } else {
            ("tcpRoutes", "TCP", "tcp")
        };
        let wanted: Vec<&Value> = items(entry.get(key)).map(|(_, v)| v).collect();
        let mut indexes = Vec::new();
        if wanted.is_empty() {
            // The controller takes the first route (and would fail on an empty list).
            if !routes.is_empty() {
                indexes.push(0);
            }
        } else {
            for want in &wanted {
                let port = want.get("port").and_then(Value::as_i64).unwrap_or(0);
                let hosts: Vec<&str> = items(want.get("sniHosts"))
                    .map(|(_, h)| h.as_str().unwrap_or(""))
                    .collect();
                let found: Vec<usize> = routes
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| l4_route_matches(r, port, tls.then_some(&hosts[..])))
                    .map(|(i, _)| i)
                    .collect();
                if found.is_empty() {
                    return Err(format!(
                        "No matching {kind} routes found in the defined Virtual Service."
                    ));
                }
                indexes.extend(found);
            }
        }
        for i in indexes {
            self.destinations(&routes[i])?;
        }
        if wanted.is_empty() && routes.len() > 1 {
            return Err(format!(
                "spec.{field}[] should be set in VirtualService and it must have exactly one route when omitting spec.strategy.canary.trafficRouting.istio.virtualService.{key}"
            ));
        }
        Ok(())
    }

    /// `validateVirtualServiceRouteDestinations`: the route sends to both the stable and the
    /// canary Service (or DestinationRule subset).
    fn destinations(&self, route: &Value) -> Result<(), String> {
        let (mut stable, mut canary, mut stable_subset, mut canary_subset) =
            (false, false, false, false);
        for (_, dest) in items(route.get("route")) {
            let host = dest
                .lookup("/destination/host")
                .and_then(Value::as_str)
                .unwrap_or("");
            let host = match host.find('.') {
                Some(0) => "",
                Some(i) => &host[..i],
                None => host,
            };
            stable |= !self.stable.is_empty() && host == self.stable;
            canary |= !self.canary.is_empty() && host == self.canary;
            if let Some((stable_name, canary_name)) = self.subsets {
                let subset = dest
                    .lookup("/destination/subset")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                stable_subset |= !stable_name.is_empty() && subset == stable_name;
                canary_subset |= !canary_name.is_empty() && subset == canary_name;
            }
        }
        match self.subsets {
            Some((_, canary_name)) if !canary_subset => Err(format!(
                "Canary DestinationRule subset '{canary_name}' not found in route"
            )),
            Some((stable_name, _)) if !stable_subset => Err(format!(
                "Stable DestinationRule subset '{stable_name}' not found in route"
            )),
            Some(_) => Ok(()),
            None if !canary => Err(format!(
                "Canary Service '{}' not found in route",
                self.canary
            )),
            None if !stable => Err(format!(
                "Stable Service '{}' not found in route",
                self.stable
            )),
            None => Ok(()),
        }
    }
}

/// `searchTlsRoute` / `searchTcpRoute`: a route whose matches name one port (or none, port 0)
/// equal to `port`, and for TLS exactly the SNI hosts.
pub(super) fn l4_route_matches(route: &Value, port: i64, hosts: Option<&[&str]>) -> bool {
    let mut ports = BTreeSet::new();
    let mut sni = BTreeSet::new();
    for (_, m) in items(route.get("match")) {
        ports.insert(m.get("port").and_then(Value::as_i64).unwrap_or(0));
        for (_, h) in items(m.get("sniHosts")) {
            sni.insert(h.as_str().unwrap_or(""));
        }
    }
    if ports.len() > 1 {
        return false;
    }
    let route_port = ports.into_iter().next().unwrap_or(0);
    if route_port != port {
        return false;
    }
    match hosts {
        // `evaluate.Equal`: same length, every route host among the wanted ones.
        Some(hosts) => hosts.len() == sni.len() && sni.iter().all(|h| hosts.contains(h)),
        None => true,
    }
}

// Whether Go's `json.Unmarshal` would decode the routes into the controller's types: a value of
// the wrong JSON type for a field fails the whole decode.

pub(super) fn is_str(v: &Value) -> bool {
    v.is_null() || v.is_string()
}

pub(super) fn is_int(v: &Value) -> bool {
    v.is_null() || v.as_i64().is_some()
}

pub(super) fn is_port_number(v: &Value) -> bool {
    v.is_null() || v.as_u64().is_some_and(|n| n <= u64::from(u32::MAX))
}

pub(super) fn is_number(v: &Value) -> bool {
    v.is_null() || v.is_number()
}

pub(super) fn list_of(v: &Value, item: fn(&Value) -> bool) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.iter().all(item),
        _ => false,
    }
}

pub(super) fn map_of(v: &Value, item: fn(&Value) -> bool) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => m.values().all(item),
        _ => false,
    }
}

/// A field of a Go struct and whether a JSON value decodes into its type.
pub(super) type Field = (&'static str, fn(&Value) -> bool);

pub(super) fn object_with(v: &Value, fields: &[Field]) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => fields.iter().all(|(k, check)| m.get(*k).is_none_or(check)),
        _ => false,
    }
}

pub(super) fn strings_decode(v: &Value) -> bool {
    list_of(v, is_str)
}

pub(super) fn string_map_decodes(v: &Value) -> bool {
    map_of(v, is_str)
}

pub(super) fn string_match_decodes(v: &Value) -> bool {
    object_with(
        v,
        &[("exact", is_str), ("prefix", is_str), ("regex", is_str)],
    )
}

pub(super) fn port_decodes(v: &Value) -> bool {
    object_with(v, &[("number", is_port_number)])
}

pub(super) fn destination_decodes(v: &Value) -> bool {
    object_with(
        v,
        &[("host", is_str), ("subset", is_str), ("port", port_decodes)],
    )
}

pub(super) fn route_destination_decodes(v: &Value) -> bool {
    object_with(
        v,
        &[("destination", destination_decodes), ("weight", is_int)],
    )
}

pub(super) fn route_destinations_decode(v: &Value) -> bool {
    list_of(v, route_destination_decodes)
}

pub(super) fn http_match_decodes(v: &Value) -> bool {
    object_with(
        v,
        &[
            ("method", string_match_decodes),
            ("uri", string_match_decodes),
            ("headers", |h| map_of(h, string_match_decodes)),
        ],
    )
}

pub(super) fn http_route_decodes(v: &Value) -> bool {
    object_with(
        v,
        &[
            ("name", is_str),
            ("match", |m| list_of(m, http_match_decodes)),
            ("route", route_destinations_decode),
            ("mirror", destination_decodes),
            ("mirrorPercentage", |p| {
                object_with(p, &[("value", is_number)])
            }),
        ],
    )
}

pub(super) fn l4_match_decodes(v: &Value) -> bool {
    object_with(
        v,
        &[
            ("sniHosts", strings_decode),
            ("destinationSubnets", strings_decode),
            ("port", is_int),
            ("sourceLabels", string_map_decodes),
            ("gateways", strings_decode),
            ("sourceNamespace", is_str),
        ],
    )
}

pub(super) fn tls_route_decodes(v: &Value) -> bool {
    object_with(
        v,
        &[
            ("match", |m| list_of(m, l4_match_decodes)),
            ("route", route_destinations_decode),
        ],
    )
}

pub(super) fn tcp_route_decodes(v: &Value) -> bool {
    // L4MatchAttributes has no sniHosts; an unknown key is ignored.
    tls_route_decodes(v)
}
