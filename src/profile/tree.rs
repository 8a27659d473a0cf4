//! The call tree: one node per distinct call stack seen, each with the number of
//! instructions retired while it was the current stack. A stack is a path from the root, so
//! counting an instruction is one increment of the current node's counter.

use super::functions::FuncId;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Index of a node in [`CallTree`].
pub type NodeId = u32;

/// The root: the empty stack, above every thread's first frame.
pub const ROOT: NodeId = 0;

pub struct CallTree {
    parents: Vec<NodeId>,
    funcs: Vec<FuncId>,
    /// Instructions retired with the node as the innermost frame (its own count only).
    pub counts: Vec<u64>,
    /// `parent << 32 | func` -> child: looked up on every call.
    children: HashMap<u64, NodeId, BuildHasherDefault<KeyHasher>>,
}

impl Default for CallTree {
    fn default() -> Self {
        CallTree {
            parents: vec![ROOT],
            funcs: vec![FuncId::MAX],
            counts: vec![0],
            children: HashMap::default(),
        }
    }
}

impl CallTree {
    /// The node for a call of `func` from the stack `parent`.
    pub fn child(&mut self, parent: NodeId, func: FuncId) -> NodeId {
        let next = self.parents.len() as NodeId;
        let key = u64::from(parent) << 32 | u64::from(func);
        let id = *self.children.entry(key).or_insert(next);
        if id == next {
            self.parents.push(parent);
            self.funcs.push(func);
            self.counts.push(0);
        }
        id
    }

    /// The stack `node` was called from.
    pub fn parent(&self, node: NodeId) -> NodeId {
        self.parents[node as usize]
    }

    /// The functions of the stack `node`, outermost first.
    pub fn path(&self, mut node: NodeId) -> Vec<FuncId> {
        let mut path = Vec::new();
        while node != ROOT {
            path.push(self.funcs[node as usize]);
            node = self.parents[node as usize];
        }
        path.reverse();
        path
    }

    /// Every stack that retired instructions, with its count, in node order.
    pub fn counted(&self) -> impl Iterator<Item = (NodeId, u64)> + '_ {
        (0..self.counts.len())
            .filter(|&i| self.counts[i] > 0)
            .map(|i| (i as NodeId, self.counts[i]))
    }

    /// All instructions counted.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }
}

/// Hashes one `u64` key with a multiply (Fibonacci hashing): the keys are not chosen by an
/// adversary, and the default SipHash would cost more than the rest of a call.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0 ^ v)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .rotate_left(26);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_are_shared_per_parent_and_function() {
        let mut t = CallTree::default();
        let a = t.child(ROOT, 7);
        let ab = t.child(a, 8);
        assert_eq!(t.child(ROOT, 7), a);
        assert_eq!(t.child(a, 8), ab);
        let b = t.child(ROOT, 8);
        assert_ne!(b, ab);
        assert_eq!(t.path(ab), vec![7, 8]);
        assert_eq!(t.parent(ab), a);
        t.counts[ab as usize] += 3;
        t.counts[a as usize] += 1;
        assert_eq!(t.counted().collect::<Vec<_>>(), vec![(a, 1), (ab, 3)]);
        assert_eq!(t.total(), 4);
    }
}
