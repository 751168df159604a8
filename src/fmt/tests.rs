//! Each rule with text before and after. The expected texts are what `terraform fmt` 1.11
//! prints for the same input (checked by hand), apart from the documented differences at
//! the ends of comments and of the file.

use super::*;

fn fmt(src: &str) -> String {
    let out = format_hcl(src).unwrap_or_else(|e| panic!("{e}\n--- input:\n{src}"));
    let again = format_hcl(&out).expect("formatted text formats");
    assert_eq!(again, out, "formatting is not idempotent");
    out
}

#[track_caller]
fn check(src: &str, want: &str) {
    assert_eq!(fmt(src), want, "\n--- input:\n{src}");
}

#[test]
fn indents_two_spaces_per_level() {
    check(
        "resource \"a\" \"b\" {\nx = 1\n    nested {\n        y = [\n  1,\n    2,\n]\n}\n    }\n",
        "resource \"a\" \"b\" {\n  x = 1\n  nested {\n    y = [\n      1,\n      2,\n    ]\n  }\n}\n",
    );
}

#[test]
fn several_brackets_on_one_line_indent_once() {
    check(
        "x = jsonencode({\nStatement = [{\nEffect = \"Allow\"\n}]\n})\n",
        "x = jsonencode({\n  Statement = [{\n    Effect = \"Allow\"\n  }]\n})\n",
    );
}

#[test]
fn aligns_equals_in_runs_of_attribute_lines() {
    check(
        "a = 1\nlong_name = 2\n\nb = 3\ncc = 4\n",
        "a         = 1\nlong_name = 2\n\nb  = 3\ncc = 4\n",
    );
}

#[test]
fn comment_lines_blocks_and_multiline_values_end_an_alignment_run() {
    check(
        "a = 1\n# note\nbbb = 2\nc = {\nd = 1\neeee = 2\n}\nff = 3\nblock {}\nggggg = 4\n",
        "a = 1\n# note\nbbb = 2\nc = {\n  d    = 1\n  eeee = 2\n}\nff = 3\nblock {}\nggggg = 4\n",
    );
}

#[test]
fn single_line_values_align_across_heredocs() {
    // A heredoc is part of its attribute's line for alignment, as in Terraform.
    check(
        "a = 1\nbbbb = <<EOT\n  text ${ x }\nEOT\nc = 2\n",
        "a    = 1\nbbbb = <<EOT\n  text ${x}\nEOT\nc    = 2\n",
    );
}

#[test]
fn aligns_trailing_comments() {
    check(
        "a = \"x\" # one\nbbbbb = \"y\"   // two\n\nc = 1 # three\n",
        "a     = \"x\" # one\nbbbbb = \"y\" // two\n\nc = 1 # three\n",
    );
}

#[test]
fn spacing_between_tokens() {
    check(
        "a = foo( 1 ,2 )\nb = x+y*-z\nc = ! d&&e||f ? g:h\nd = var.list [0]\ne = [ for i, v in var.l: v if i>0 ]\nf = {for k, v in var.m: k => v...}\ng = a.*.id\nh = x[*].id\ni = {a=1}\nj = {  }\nk = - 1\nl = a - -1\nm = (-3)\n",
        "a = foo(1, 2)\nb = x + y * -z\nc = !d && e || f ? g : h\nd = var.list[0]\ne = [for i, v in var.l : v if i > 0]\nf = { for k, v in var.m : k => v... }\ng = a.*.id\nh = x[*].id\ni = { a = 1 }\nj = {}\nk = -1\nl = a - -1\nm = (-3)\n",
    );
}

#[test]
fn block_headers_and_one_line_blocks() {
    check(
        "resource   \"a\"    \"b\"{\nlifecycle {ignore_changes=[tags]}\nempty { }\n}\n",
        "resource \"a\" \"b\" {\n  lifecycle { ignore_changes = [tags] }\n  empty {}\n}\n",
    );
}

#[test]
fn heredoc_content_is_untouched() {
    let src = "x {\ny = <<EOT\n  a = b   \n\tc  {\n    #not a comment\nEOT\nz = <<-EOT\n      indented\n    EOT\n}\n";
    check(
        src,
        "x {\n  y = <<EOT\n  a = b   \n\tc  {\n    #not a comment\nEOT\n  z = <<-EOT\n      indented\n    EOT\n}\n",
    );
}

#[test]
fn strings_and_comments_keep_their_content() {
    check(
        "a = \"x = {  #  // }\" # c  =  d\nb = \"${ x }  y\"\n/*  keep\n     this  */\n",
        "a = \"x = {  #  // }\" # c  =  d\nb = \"${x}  y\"\n/*  keep\n     this  */\n",
    );
}

#[test]
fn template_sequences_are_tightened() {
    check(
        "a = \"%{ if x ~}yes%{ endif } ${~ y ~}\"\nb = \"${ {k = 1} }-\"\n",
        "a = \"%{if x~}yes%{endif} ${~y~}\"\nb = \"${ { k = 1 } }-\"\n",
    );
}

#[test]
fn keeps_crlf_line_endings() {
    check(
        "a = 1\r\nbb = {\r\nc = 2\r\n}\r\n",
        "a = 1\r\nbb = {\r\n  c = 2\r\n}\r\n",
    );
}

#[test]
fn replaces_tabs_outside_literals() {
    check(
        "\ta\t=\t1\n\tb {\n\t\tc = \"\t\"\n\t}\n",
        "a = 1\nb {\n  c = \"\t\"\n}\n",
    );
}

#[test]
fn keeps_blank_lines_but_trims_trailing_whitespace_and_end_of_file() {
    check(
        "\na = 1   \n\n\n   \nb = 2 # note   \n\n\n",
        "\na = 1\n\n\n\nb = 2 # note\n",
    );
    check("a = 1", "a = 1\n");
    check("# only a comment", "# only a comment\n");
    check("", "");
}

#[test]
fn unwraps_lone_interpolations() {
    check(
        "a = \"${var.x}\"\nb = \"${var.x}-suffix\"\nc = \"${a}${b}\"\nd = \"${f(\"${x}\")}\"\n",
        "a = var.x\nb = \"${var.x}-suffix\"\nc = \"${a}${b}\"\nd = f(\"${x}\")\n",
    );
    // Spanning lines, the value needs parentheses to stay one argument.
    check(
        "a = \"${\n  var.x\n}\"\nb = \"${var.c\n  ? 1 : 2}\"\n",
        "a = var.x\nb = (var.c\n? 1 : 2)\n",
    );
    // Only whole argument values, not object items or template directives.
    check(
        "a = { b = \"${x}\" }\nc = \"%{if x}y%{endif}\"\n",
        "a = { b = \"${x}\" }\nc = \"%{if x}y%{endif}\"\n",
    );
}

#[test]
fn quotes_bare_block_labels() {
    check(
        "resource aws_vpc main {\n}\nmodule x /* c */ {}\n",
        "resource \"aws_vpc\" \"main\" {\n}\nmodule \"x\" /* c */ {}\n",
    );
}

#[test]
fn modernises_variable_types_only_in_variable_blocks() {
    check(
        "variable \"a\" {\ntype = \"string\"\n}\nvariable \"b\" { type = \"list\" }\nvariable \"c\" { type = map }\nvariable \"d\" { type = set }\nresource \"x\" \"y\" { type = \"string\" }\n",
        "variable \"a\" {\n  type = string\n}\nvariable \"b\" { type = list(string) }\nvariable \"c\" { type = map(any) }\nvariable \"d\" { type = set(any) }\nresource \"x\" \"y\" { type = \"string\" }\n",
    );
}

#[test]
fn aligns_by_characters_not_bytes() {
    check("ü = 1\nab = 2\n", "ü  = 1\nab = 2\n");
}

#[test]
fn syntax_errors_are_reported_not_formatted() {
    for src in [
        "a = {\n",
        "a = \"x\n",
        "a = 1\na = 2\n",
        "x = <<EOT\nno end\n",
    ] {
        match format_hcl(src) {
            Err(FormatError::Syntax(_)) => {}
            other => panic!("{src:?}: {other:?}"),
        }
    }
}

#[test]
fn the_meaning_check_catches_changes() {
    assert!(check_same_meaning("a = \"x y\"\n", "a = \"x  y\"\n").is_err());
    assert!(check_same_meaning("a = b - 1\n", "a = b -1\n").is_ok());
    assert!(check_same_meaning("a = [1]\n", "a = [1\n").is_err());
    // What the legacy rewrites change is not a difference.
    assert!(check_same_meaning(
        "resource a b { x = \"${y}\" }\n",
        "resource \"a\" \"b\" { x = y }\n"
    )
    .is_ok());
}

/// Every configuration in the repository formats idempotently and keeps its meaning; only
/// the deliberately broken fixtures fail to parse.
#[test]
fn repository_configurations() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["modules", "examples", "tests/fixtures"] {
        collect(&root.join(dir), &mut files);
    }
    assert!(files.len() > 50, "found only {} files", files.len());
    let mut formatted = 0;
    for path in files {
        // Fuzzing's cases are hostile on purpose (not UTF-8, nested past the parser's limit).
        if path.to_string_lossy().contains("tests/fixtures/fuzz/") {
            continue;
        }
        let src = std::fs::read_to_string(&path).expect("readable");
        match format_hcl(&src) {
            Ok(out) => {
                formatted += 1;
                assert_eq!(
                    format_hcl(&out).ok().as_deref(),
                    Some(out.as_str()),
                    "{}",
                    path.display()
                );
                let before = canonical_body(hcl::from_str(&src).expect("parses"));
                let after = canonical_body(hcl::from_str(&out).expect("parses"));
                assert_eq!(before, after, "{}", path.display());
            }
            Err(FormatError::Syntax(_)) => assert!(
                path.to_string_lossy().contains("tests/fixtures/invalid/"),
                "{} does not parse",
                path.display()
            ),
            Err(e) => panic!("{}: {e}", path.display()),
        }
    }
    assert!(formatted > 50);
}

fn collect(dir: &std::path::Path, files: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, files);
        } else if p
            .extension()
            .is_some_and(|x| x == "tf" || x == "tfvars" || x == "in")
        {
            files.push(p);
        }
    }
}
