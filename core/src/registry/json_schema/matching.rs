//! A maximum matching in a bipartite graph (augmenting paths), for pairing the sub-schemas
//! of two combined schemas.

use alloc::vec;
use alloc::vec::Vec;

/// A maximum matching of `left` vertices `0..left` to right vertices `0..right`, given each
/// left vertex's neighbours in preference order: `(left, right)` pairs, by left vertex.
pub fn maximum_matching(
    left: usize,
    right: usize,
    neighbours: &[Vec<usize>],
) -> Vec<(usize, usize)> {
    let mut owner: Vec<Option<usize>> = vec![None; right];
    for l in 0..left {
        let mut seen = vec![false; right];
        augment(l, neighbours, &mut owner, &mut seen);
    }
    let mut pairs: Vec<(usize, usize)> = owner
        .iter()
        .enumerate()
        .filter_map(|(r, l)| l.map(|l| (l, r)))
        .collect();
    pairs.sort_unstable();
    pairs
}

fn augment(
    l: usize,
    neighbours: &[Vec<usize>],
    owner: &mut [Option<usize>],
    seen: &mut [bool],
) -> bool {
    for &r in neighbours.get(l).map_or(&[][..], Vec::as_slice) {
        if seen[r] {
            continue;
        }
        seen[r] = true;
        if owner[r].is_none_or(|other| augment(other, neighbours, owner, seen)) {
            owner[r] = Some(l);
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn an_augmenting_path_frees_a_vertex_for_another() {
        // 0 likes 0 and 1; 1 likes only 0: the maximum pairs 0-1 and 1-0.
        assert_eq!(
            maximum_matching(2, 2, &[vec![0, 1], vec![0]]),
            [(0, 1), (1, 0)]
        );
        assert_eq!(maximum_matching(2, 1, &[vec![0], vec![0]]).len(), 1);
        assert!(maximum_matching(1, 1, &[vec![]]).is_empty());
    }
}
