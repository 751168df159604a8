//! Working out a `state mv`: which recorded instances a source address names and the new
//! address of each. Pure: the state store applies the result in one transaction.
//!
//! - an instance moves to an instance address (`aws_subnet.a[0]` → `aws_subnet.b["x"]`);
//! - a resource moves to a resource address, every instance keeping its key
//!   (`aws_subnet.a` → `module.net.aws_subnet.b`);
//! - a module moves to a module address with everything inside it (`module.a` → `module.b`,
//!   or `module.b["k"]`); a keyless source step carries each instance's key to a keyless
//!   destination (`module.a` with `[0]` and `[1]` → `module.b[0]`, `module.b[1]`).

use std::collections::BTreeSet;

use super::pattern::{terraform_order, AddrPattern};
use super::{ModuleInstance, ResourceInstanceAddr};

/// One instance to move: from its current address to its new one.
pub type Move = (ResourceInstanceAddr, ResourceInstanceAddr);

/// The moves `state mv SRC DST` makes, given every address in the state, sorted in
/// Terraform's order. The error explains why the move is not possible; nothing is moved then.
pub fn plan_moves(
    src: &AddrPattern,
    dst: &AddrPattern,
    existing: &[ResourceInstanceAddr],
) -> Result<Vec<Move>, String> {
    let mut matched: Vec<&ResourceInstanceAddr> =
        existing.iter().filter(|a| src.matches(a)).collect();
    matched.sort_by(|a, b| terraform_order(a, b));
    if matched.is_empty() {
        return Err(format!(
            "There is nothing at {src} in the state to move. \"ecsform state list\" shows what is there."
        ));
    }
    let moves: Vec<Move> = match (&src.resource, &dst.resource) {
        (None, None) => module_moves(src, dst, &matched),
        (Some(_), Some(_)) => resource_moves(src, dst, &matched)?,
        (None, Some(_)) => {
            return Err(format!(
                "Cannot move module {src} to the resource address {dst}: a module moves to a \
                 module address, such as module.NAME or module.NAME[\"key\"]."
            ))
        }
        (Some(_), None) => {
            let resource = src.resource.as_ref().map(|(r, _)| r.to_string());
            return Err(format!(
                "Cannot move {src} to the module address {dst}: to move it into that module, \
                 give its full address there, such as {dst}.{}.",
                resource.unwrap_or_default()
            ));
        }
    };
    if moves.iter().all(|(from, to)| from == to) {
        return Err(format!(
            "{src} and {dst} are the same address; there is nothing to move."
        ));
    }
    check_destinations(src, dst, &moves, existing)?;
    Ok(moves)
}

fn module_moves(
    src: &AddrPattern,
    dst: &AddrPattern,
    matched: &[&ResourceInstanceAddr],
) -> Vec<Move> {
    let depth = src.module.len();
    let carry_key = src.module.last().is_some_and(|s| s.1.is_none())
        && dst.module.last().is_some_and(|d| d.1.is_none());
    matched
        .iter()
        .map(|from| {
            let steps = &from.module.0;
            let mut module = dst.module.clone();
            if carry_key {
                if let Some(last) = module.last_mut() {
                    last.1 = steps[depth - 1].1.clone();
                }
            }
            module.extend(steps[depth..].iter().cloned());
            let to = ResourceInstanceAddr {
                module: ModuleInstance(module),
                resource: from.resource.clone(),
                key: from.key.clone(),
            };
            ((*from).clone(), to)
        })
        .collect()
}

fn resource_moves(
    src: &AddrPattern,
    dst: &AddrPattern,
    matched: &[&ResourceInstanceAddr],
) -> Result<Vec<Move>, String> {
    let (Some((src_res, src_key)), Some((dst_res, dst_key))) = (&src.resource, &dst.resource)
    else {
        unreachable!("called for resource patterns only")
    };
    if src_res.mode != dst_res.mode {
        return Err(format!(
            "Cannot move {src} to {dst}: a data source and a managed resource cannot be moved \
             into each other."
        ));
    }
    if src_res.type_name != dst_res.type_name {
        return Err(format!(
            "Cannot move {src} to {dst}: resource types don't match ({} and {}). An object can \
             only move to an address of its own type.",
            src_res.type_name, dst_res.type_name
        ));
    }
    let modules: BTreeSet<String> = matched.iter().map(|a| a.module.to_string()).collect();
    if modules.len() > 1 {
        return Err(format!(
            "{src} names instances in {} module instances ({}); name one module instance in \
             the source address.",
            modules.len(),
            modules.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    let one_instance =
        src_key.is_some() || dst_key.is_some() || (matched.len() == 1 && matched[0].key.is_none());
    if one_instance && matched.len() > 1 {
        return Err(format!(
            "{src} has {} instances but {dst} is the address of one instance. Give a \
             destination without an index to move them all keeping their keys, or move them \
             one at a time.",
            matched.len()
        ));
    }
    let module = dst.module_instance();
    Ok(matched
        .iter()
        .map(|from| {
            let key = if one_instance {
                dst_key.clone()
            } else {
                from.key.clone()
            };
            let to = ResourceInstanceAddr {
                module: module.clone(),
                resource: dst_res.clone(),
                key,
            };
            ((*from).clone(), to)
        })
        .collect())
}

/// The destination must be new: no two instances may land on one address, nothing that stays
/// may be there already, and a moved resource or module may not land in one that exists.
fn check_destinations(
    src: &AddrPattern,
    dst: &AddrPattern,
    moves: &[Move],
    existing: &[ResourceInstanceAddr],
) -> Result<(), String> {
    let moving: BTreeSet<&ResourceInstanceAddr> = moves.iter().map(|(from, _)| from).collect();
    let staying: Vec<&ResourceInstanceAddr> =
        existing.iter().filter(|a| !moving.contains(a)).collect();
    let mut seen = BTreeSet::new();
    for (from, to) in moves {
        if !seen.insert(to) {
            return Err(format!(
                "Cannot move {src} to {dst}: more than one instance would move to {to} \
                 (from {from} among others)."
            ));
        }
    }
    // What the destination names, as the source did: a whole resource or module must be new.
    let taken = |to: &ResourceInstanceAddr| -> Option<&ResourceInstanceAddr> {
        staying.iter().copied().find(|a| {
            if *a == to {
                return true;
            }
            match &dst.resource {
                // A resource, or its only keyless instance: the whole resource must be new.
                Some((_, None)) if matches!(&src.resource, Some((_, None))) => {
                    a.module == to.module && a.resource == to.resource
                }
                Some(_) => false,
                None => {
                    let depth = dst.module.len();
                    a.module.0.len() >= depth && a.module.0[..depth] == to.module.0[..depth]
                }
            }
        })
    };
    for (_, to) in moves {
        if let Some(there) = taken(to) {
            return Err(format!(
                "Cannot move {src} to {dst}: {there} is already in the state. The destination \
                 must not exist; remove or move what is there first."
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(addrs: &[&str]) -> Vec<ResourceInstanceAddr> {
        addrs
            .iter()
            .map(|a| ResourceInstanceAddr::parse(a).unwrap())
            .collect()
    }

    fn mv(src: &str, dst: &str, existing: &[&str]) -> Result<Vec<(String, String)>, String> {
        plan_moves(
            &AddrPattern::parse(src).unwrap(),
            &AddrPattern::parse(dst).unwrap(),
            &state(existing),
        )
        .map(|moves| {
            moves
                .into_iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        })
    }

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn an_instance_moves_to_any_instance_address_of_its_type() {
        let st = ["aws_subnet.a[0]", "aws_subnet.a[1]", "aws_vpc.v"];
        assert_eq!(
            mv("aws_subnet.a[0]", "aws_subnet.b[\"x\"]", &st).unwrap(),
            pairs(&[("aws_subnet.a[0]", "aws_subnet.b[\"x\"]")])
        );
        assert_eq!(
            mv("aws_vpc.v", "module.net.aws_vpc.main[0]", &st).unwrap(),
            pairs(&[("aws_vpc.v", "module.net.aws_vpc.main[0]")])
        );
        // A counted instance to a single one, and one into another key of the same resource.
        assert_eq!(
            mv("aws_subnet.a[1]", "aws_subnet.only", &st).unwrap(),
            pairs(&[("aws_subnet.a[1]", "aws_subnet.only")])
        );
        assert_eq!(
            mv("aws_subnet.a[1]", "aws_subnet.a[5]", &st).unwrap(),
            pairs(&[("aws_subnet.a[1]", "aws_subnet.a[5]")])
        );
    }

    #[test]
    fn a_resource_moves_with_all_its_keys() {
        let st = ["aws_subnet.a[0]", "aws_subnet.a[1]", "aws_subnet.c"];
        assert_eq!(
            mv("aws_subnet.a", "module.n.aws_subnet.b", &st).unwrap(),
            pairs(&[
                ("aws_subnet.a[0]", "module.n.aws_subnet.b[0]"),
                ("aws_subnet.a[1]", "module.n.aws_subnet.b[1]"),
            ])
        );
        let err = mv("aws_subnet.a", "aws_subnet.b[0]", &st).unwrap_err();
        assert!(err.contains("has 2 instances"), "{err}");
        let err = mv("aws_subnet.a", "aws_vpc.a", &st).unwrap_err();
        assert!(err.contains("resource types don't match"), "{err}");
        let err = mv("aws_subnet.a", "module.x", &st).unwrap_err();
        assert!(err.contains("module.x.aws_subnet.a"), "{err}");
    }

    #[test]
    fn a_module_moves_with_everything_inside() {
        let st = [
            "module.a.aws_vpc.v",
            "module.a.module.n.aws_subnet.s[0]",
            "module.ab.aws_vpc.v",
            "module.c[0].aws_vpc.v",
            "module.c[1].aws_vpc.v",
        ];
        assert_eq!(
            mv("module.a", "module.b[\"k\"]", &st).unwrap(),
            pairs(&[
                ("module.a.aws_vpc.v", "module.b[\"k\"].aws_vpc.v"),
                (
                    "module.a.module.n.aws_subnet.s[0]",
                    "module.b[\"k\"].module.n.aws_subnet.s[0]"
                ),
            ])
        );
        assert_eq!(
            mv("module.c", "module.d", &st).unwrap(),
            pairs(&[
                ("module.c[0].aws_vpc.v", "module.d[0].aws_vpc.v"),
                ("module.c[1].aws_vpc.v", "module.d[1].aws_vpc.v"),
            ])
        );
        assert_eq!(
            mv("module.c[1]", "module.e", &st).unwrap(),
            pairs(&[("module.c[1].aws_vpc.v", "module.e.aws_vpc.v")])
        );
        let err = mv("module.c", "module.d[\"x\"]", &st).unwrap_err();
        assert!(err.contains("more than one instance"), "{err}");
        let err = mv("module.a", "aws_vpc.v", &st).unwrap_err();
        assert!(err.contains("a module moves to a module address"), "{err}");
    }

    #[test]
    fn the_destination_must_not_exist() {
        let st = [
            "aws_subnet.a[0]",
            "aws_subnet.b[7]",
            "aws_subnet.c",
            "module.x.aws_vpc.v",
            "module.y.module.z.aws_vpc.w",
        ];
        let err = mv("aws_subnet.a[0]", "aws_subnet.c", &st).unwrap_err();
        assert!(
            err.contains("aws_subnet.c is already in the state"),
            "{err}"
        );
        // A whole resource may not land in a resource that has instances...
        let err = mv("aws_subnet.a", "aws_subnet.b", &st).unwrap_err();
        assert!(err.contains("aws_subnet.b[7] is already"), "{err}");
        // ...but one instance may join another resource's instances.
        assert!(mv("aws_subnet.a[0]", "aws_subnet.b[0]", &st).is_ok());
        let err = mv("module.x", "module.y", &st).unwrap_err();
        assert!(
            err.contains("module.y.module.z.aws_vpc.w is already"),
            "{err}"
        );
        let err = mv("aws_subnet.nope", "aws_subnet.d", &st).unwrap_err();
        assert!(err.contains("nothing at aws_subnet.nope"), "{err}");
        let err = mv("aws_subnet.c", "aws_subnet.c", &st).unwrap_err();
        assert!(err.contains("the same address"), "{err}");
    }
}
