//! The arithmetic of a rolling replacement, without AWS: which instances are old, in which
//! order they go, how big each batch is, the capacity to ask for, and whether enough of the
//! cluster keeps serving to drain a batch.

/// One instance of the group, as the rollout sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupInstance {
    pub id: String,
    /// Seconds since the epoch; instances without one sort last.
    pub launch_time: Option<i64>,
    /// Auto Scaling's lifecycle state (`InService`, `Pending`, `Terminating`...).
    pub lifecycle: String,
    pub protected_from_scale_in: bool,
    /// Launched from the launch template version (or configuration) the group uses now.
    pub on_target: bool,
}

impl GroupInstance {
    /// Still part of the group: not on its way out.
    pub fn is_live(&self) -> bool {
        !self.lifecycle.starts_with("Terminat") && !self.lifecycle.starts_with("Detach")
    }
}

fn oldest_first(list: &mut [&GroupInstance]) {
    list.sort_by(|a, b| {
        (a.launch_time.is_none(), a.launch_time, &a.id).cmp(&(
            b.launch_time.is_none(),
            b.launch_time,
            &b.id,
        ))
    });
}

/// The instances to replace, oldest first. When an earlier rollout recorded its remaining
/// instances (`pending`), exactly those still in the group; otherwise every live instance not
/// launched from the group's current template.
pub fn old_instances(instances: &[GroupInstance], pending: Option<&[String]>) -> Vec<String> {
    let mut old: Vec<&GroupInstance> = instances
        .iter()
        .filter(|i| i.is_live())
        .filter(|i| match pending {
            Some(ids) => ids.contains(&i.id),
            None => !i.on_target,
        })
        .collect();
    oldest_first(&mut old);
    old.into_iter().map(|i| i.id.clone()).collect()
}

/// How many instances the next batch replaces.
pub fn batch_size(max_batch_size: u32, remaining: usize) -> usize {
    (max_batch_size.max(1) as usize).min(remaining)
}

/// An Auto Scaling group's desired and maximum capacity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capacity {
    pub desired: i32,
    pub max: i32,
}

impl Capacity {
    /// The capacity that launches `batch` replacements next to the serving instances; the
    /// maximum is raised when it would cap the desired capacity.
    pub fn raised(self, batch: usize) -> Capacity {
        let desired = self.desired + i32::try_from(batch).unwrap_or(i32::MAX);
        Capacity {
            desired,
            max: self.max.max(desired),
        }
    }
}

/// How many instances must stay ACTIVE in the cluster while a batch drains:
/// `min_healthy_percent` of the desired capacity, rounded up.
pub fn healthy_floor(desired: i32, min_healthy_percent: u32) -> usize {
    let desired = desired.max(0) as u64;
    (desired * u64::from(min_healthy_percent)).div_ceil(100) as usize
}

/// Whether a batch may be drained: the instances serving once it is drained (ACTIVE, agent
/// connected, not in the batch) reach the healthy floor, and every replacement launched for
/// it is at least InService (with 100 % they must all be serving).
pub fn may_drain(
    serving_outside_batch: usize,
    desired: i32,
    min_healthy_percent: u32,
    replacements_in_service: usize,
    batch: usize,
) -> bool {
    replacements_in_service >= batch
        && serving_outside_batch >= healthy_floor(desired, min_healthy_percent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inst(id: &str, t: Option<i64>, on_target: bool) -> GroupInstance {
        GroupInstance {
            id: id.into(),
            launch_time: t,
            lifecycle: "InService".into(),
            protected_from_scale_in: false,
            on_target,
        }
    }

    #[test]
    fn old_instances_oldest_first_new_ones_left_alone() {
        let mut gone = inst("i-gone", Some(1), false);
        gone.lifecycle = "Terminating".into();
        let list = vec![
            inst("i-c", Some(30), false),
            inst("i-new", Some(5), true),
            inst("i-a", Some(10), false),
            inst("i-x", None, false),
            inst("i-b", Some(10), false),
            gone,
        ];
        assert_eq!(old_instances(&list, None), ["i-a", "i-b", "i-c", "i-x"]);
        // A recorded rollout continues with exactly what it had left, even if it cannot
        // tell them apart from new ones.
        let pending = ["i-c".to_string(), "i-new".to_string(), "i-lost".to_string()];
        assert_eq!(old_instances(&list, Some(&pending)), ["i-new", "i-c"]);
    }

    #[test]
    fn batches_never_exceed_what_is_left() {
        assert_eq!(batch_size(1, 3), 1);
        assert_eq!(batch_size(2, 3), 2);
        assert_eq!(batch_size(5, 3), 3);
        assert_eq!(batch_size(0, 3), 1);
        assert_eq!(batch_size(2, 0), 0);
    }

    #[test]
    fn capacity_is_raised_by_the_batch_and_max_follows() {
        let c = Capacity { desired: 3, max: 3 };
        assert_eq!(c.raised(1), Capacity { desired: 4, max: 4 });
        let roomy = Capacity {
            desired: 3,
            max: 10,
        };
        assert_eq!(
            roomy.raised(2),
            Capacity {
                desired: 5,
                max: 10
            }
        );
    }

    #[test]
    fn healthy_floor_rounds_up() {
        assert_eq!(healthy_floor(3, 100), 3);
        assert_eq!(healthy_floor(3, 50), 2);
        assert_eq!(healthy_floor(3, 0), 0);
        assert_eq!(healthy_floor(0, 100), 0);
        assert_eq!(healthy_floor(4, 75), 3);
    }

    #[test]
    fn draining_waits_for_replacements_and_the_floor() {
        // 3 desired, batch of 1, 100 %: the replacement must serve (3 outside the batch).
        assert!(!may_drain(2, 3, 100, 1, 1));
        assert!(may_drain(3, 3, 100, 1, 1));
        // 50 %: two serving instances are enough, but the replacement must be InService.
        assert!(may_drain(2, 3, 50, 1, 1));
        assert!(!may_drain(2, 3, 50, 0, 1));
    }
}
