//! A plain directed acyclic graph over any node type: ordering, cycles and DOT.
//!
//! Knows nothing about resources or configuration. An edge `a -> b` means "a depends on b",
//! as in Terraform's graphs, so [`Dag::topo_order`] yields dependencies first.

use std::collections::HashMap;
use std::hash::Hash;

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use rustc_hash::FxHashMap;

pub struct Dag<N> {
    graph: DiGraph<N, ()>,
    /// Hashed with rustc's Fx hasher (not SipHash): a plan's graph looks up every instance
    /// address several times, and the keys come from the configuration, not from an attacker.
    index: FxHashMap<N, NodeIndex>,
}

impl<N: Clone + Eq + Hash> Default for Dag<N> {
    fn default() -> Self {
        Dag {
            graph: DiGraph::new(),
            index: FxHashMap::default(),
        }
    }
}

impl<N: Clone + Eq + Hash + Ord> Dag<N> {
    pub fn new() -> Dag<N> {
        Dag::default()
    }

    /// Adds a node (once) and returns its index.
    pub fn add(&mut self, node: N) -> NodeIndex {
        if let Some(&i) = self.index.get(&node) {
            return i;
        }
        let i = self.graph.add_node(node.clone());
        self.index.insert(node, i);
        i
    }

    /// Records that `from` depends on `to` (adding either node if new; no duplicate edges).
    pub fn depend(&mut self, from: &N, to: &N) {
        let (a, b) = (self.add(from.clone()), self.add(to.clone()));
        self.graph.update_edge(a, b, ());
    }

    pub fn contains(&self, node: &N) -> bool {
        self.index.contains_key(node)
    }

    pub fn len(&self) -> usize {
        self.graph.node_count()
    }

    pub fn is_empty(&self) -> bool {
        self.graph.node_count() == 0
    }

    pub fn nodes(&self) -> impl Iterator<Item = &N> {
        self.graph.node_weights()
    }

    /// Direct dependencies of a node, sorted.
    pub fn dependencies(&self, node: &N) -> Vec<&N> {
        let Some(&i) = self.index.get(node) else {
            return Vec::new();
        };
        let mut out: Vec<&N> = self
            .graph
            .neighbors_directed(i, Direction::Outgoing)
            .map(|j| &self.graph[j])
            .collect();
        out.sort();
        out
    }

    /// Every edge `(dependent, dependency)`, sorted.
    pub fn edges(&self) -> Vec<(&N, &N)> {
        let mut out: Vec<_> = self
            .graph
            .edge_references()
            .map(|e| (&self.graph[e.source()], &self.graph[e.target()]))
            .collect();
        out.sort();
        out
    }

    /// The edges that remain after removing every edge implied by a longer path (the
    /// transitive reduction), sorted. Assumes the graph is acyclic.
    pub fn reduced_edges(&self) -> Vec<(&N, &N)> {
        let mut out = Vec::new();
        for a in self.graph.node_indices() {
            let direct: Vec<NodeIndex> = self
                .graph
                .neighbors_directed(a, Direction::Outgoing)
                .collect();
            // Everything reachable from a's direct dependencies in one or more steps.
            let mut reachable = std::collections::HashSet::new();
            let mut stack: Vec<NodeIndex> = direct
                .iter()
                .flat_map(|&d| self.graph.neighbors_directed(d, Direction::Outgoing))
                .collect();
            while let Some(n) = stack.pop() {
                if reachable.insert(n) {
                    stack.extend(self.graph.neighbors_directed(n, Direction::Outgoing));
                }
            }
            for d in direct {
                if !reachable.contains(&d) {
                    out.push((&self.graph[a], &self.graph[d]));
                }
            }
        }
        out.sort();
        out
    }

    /// Groups of nodes that depend on each other in a loop (each sorted), plus single nodes
    /// that depend on themselves.
    pub fn cycles(&self) -> Vec<Vec<N>> {
        let mut out: Vec<Vec<N>> = tarjan_scc(&self.graph)
            .into_iter()
            .filter(|scc| scc.len() > 1 || self.graph.contains_edge(scc[0], scc[0]))
            .map(|scc| {
                let mut nodes: Vec<N> = scc.into_iter().map(|i| self.graph[i].clone()).collect();
                nodes.sort();
                nodes
            })
            .collect();
        out.sort();
        out
    }

    /// Nodes with every dependency before its dependents; ties broken by node order so the
    /// result is deterministic. `None` if there is a cycle.
    pub fn topo_order(&self) -> Option<Vec<N>> {
        let n = self.graph.node_count();
        let mut remaining: Vec<usize> = (0..n)
            .map(|i| {
                self.graph
                    .neighbors_directed(NodeIndex::new(i), Direction::Outgoing)
                    .count()
            })
            .collect();
        let mut ready: std::collections::BTreeSet<(&N, usize)> = (0..n)
            .filter(|&i| remaining[i] == 0)
            .map(|i| (&self.graph[NodeIndex::new(i)], i))
            .collect();
        let mut out = Vec::with_capacity(n);
        while let Some((node, i)) = ready.pop_first() {
            out.push(node.clone());
            for j in self
                .graph
                .neighbors_directed(NodeIndex::new(i), Direction::Incoming)
            {
                remaining[j.index()] -= 1;
                if remaining[j.index()] == 0 {
                    ready.insert((&self.graph[j], j.index()));
                }
            }
        }
        (out.len() == n).then_some(out)
    }

    /// For each node, how many nodes the longest chain of its dependents holds, counting the
    /// node itself: 1 when nothing depends on it. A walk that cannot start every ready node
    /// at once shortens the longest path by starting the longest chains first. Empty if
    /// there is a cycle.
    pub fn dependent_chain_lengths(&self) -> HashMap<N, usize> {
        // Edges point from dependent to dependency: dependents come first in this order.
        let Ok(order) = petgraph::algo::toposort(&self.graph, None) else {
            return HashMap::new();
        };
        let mut length = vec![0usize; self.graph.node_count()];
        for i in &order {
            length[i.index()] = 1 + self
                .graph
                .neighbors_directed(*i, Direction::Incoming)
                .map(|d| length[d.index()])
                .max()
                .unwrap_or(0);
        }
        order
            .into_iter()
            .map(|i| (self.graph[i].clone(), length[i.index()]))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_dependencies_first_and_deterministically() {
        let mut g = Dag::new();
        g.depend(&"c", &"b");
        g.depend(&"b", &"a");
        g.depend(&"d", &"a");
        assert_eq!(g.topo_order().unwrap(), ["a", "b", "c", "d"]);
        assert_eq!(g.dependencies(&"b"), [&"a"]);
        assert!(g.cycles().is_empty());
    }

    #[test]
    fn reduction_drops_edges_implied_by_longer_paths() {
        let mut g = Dag::new();
        g.depend(&"c", &"b");
        g.depend(&"b", &"a");
        g.depend(&"c", &"a");
        g.depend(&"d", &"a");
        assert_eq!(
            g.reduced_edges(),
            vec![(&"b", &"a"), (&"c", &"b"), (&"d", &"a")]
        );
        assert_eq!(g.edges().len(), 4);
    }

    #[test]
    fn measures_the_longest_chain_of_dependents() {
        let mut g = Dag::new();
        g.depend(&"c", &"b");
        g.depend(&"b", &"a");
        g.depend(&"d", &"a");
        g.add("e");
        let lengths = g.dependent_chain_lengths();
        let of = |n| lengths[&n];
        assert_eq!(
            (of("a"), of("b"), of("c"), of("d"), of("e")),
            (3, 2, 1, 1, 1)
        );
        g.depend(&"a", &"c");
        assert!(g.dependent_chain_lengths().is_empty());
    }

    #[test]
    fn finds_cycles_and_self_loops() {
        let mut g = Dag::new();
        g.depend(&"a", &"b");
        g.depend(&"b", &"c");
        g.depend(&"c", &"a");
        g.depend(&"x", &"x");
        g.depend(&"y", &"a");
        assert_eq!(g.cycles(), vec![vec!["a", "b", "c"], vec!["x"]]);
        assert!(g.topo_order().is_none());
    }
}
