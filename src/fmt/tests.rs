use super::*;

#[test]
fn debug_tmp() {
    let src = std::fs::read_to_string("/tmp/fx/a.tf").unwrap();
    let out = format_tokens(&src);
    print!("{out}");
    let a = canonical_body(hcl::from_str::<Body>(&src).unwrap());
    let b = canonical_body(hcl::from_str::<Body>(&out).unwrap());
    for (x, y) in a.0.iter().zip(b.0.iter()) {
        if x != y {
            println!("BEFORE {x:?}\nAFTER {y:?}");
        }
    }
}
