//! Data sources answered without an AWS call: `aws_partition` (from the region) and
//! `aws_default_tags` (from the provider block), planned and applied with no endpoint at all.

use crate::support;

use std::path::Path;

fn workdir(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), config).unwrap();
    dir
}

/// `ecsform apply -auto-approve` in `dir`, then the root outputs as JSON.
fn outputs(dir: &Path) -> serde_json::Value {
    let out = support::run_in(dir, "apply", &["-auto-approve"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let out = support::run_in(dir, "output", &["-json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).expect("JSON")
}

#[test]
fn partition_and_default_tags_come_from_the_provider_block() {
    let dir = workdir(
        r#"
provider "aws" {
  region = "cn-northwest-1"

  default_tags {
    tags = {
      Team = "platform"
      Env  = "test"
    }
  }
}

data "aws_partition" "current" {}

data "aws_default_tags" "current" {}

output "partition" {
  value = data.aws_partition.current
}

output "arn" {
  value = "arn:${data.aws_partition.current.partition}:iam::aws:policy/ReadOnlyAccess"
}

output "tags" {
  value = data.aws_default_tags.current.tags
}
"#,
    );
    let out = outputs(dir.path());
    let p = &out["partition"]["value"];
    assert_eq!(p["partition"], "aws-cn");
    assert_eq!(p["id"], "aws-cn");
    assert_eq!(p["dns_suffix"], "amazonaws.com.cn");
    assert_eq!(p["reverse_dns_prefix"], "cn.com.amazonaws");
    assert_eq!(
        out["arn"]["value"],
        "arn:aws-cn:iam::aws:policy/ReadOnlyAccess"
    );
    assert_eq!(
        out["tags"]["value"],
        serde_json::json!({"Team": "platform", "Env": "test"})
    );

    // No default tags: an empty map.
    let dir = workdir(
        "provider \"aws\" {\n  region = \"us-gov-west-1\"\n}\n\ndata \"aws_default_tags\" \"t\" {}\n\ndata \"aws_partition\" \"p\" {}\n\noutput \"tags\" {\n  value = data.aws_default_tags.t.tags\n}\n\noutput \"partition\" {\n  value = data.aws_partition.p.partition\n}\n",
    );
    let out = outputs(dir.path());
    assert_eq!(out["tags"]["value"], serde_json::json!({}));
    assert_eq!(out["partition"]["value"], "aws-us-gov");
}

/// Both cloud-init data sources render while planning, byte for byte as the providers do (the
/// expected documents are the cloudinit provider's own acceptance test outputs).
#[test]
fn cloudinit_documents_render_while_planning() {
    let dir = workdir(
        r#"
terraform {
  required_providers {
    cloudinit = {
      source = "hashicorp/cloudinit"
    }
    template = {
      source = "hashicorp/template"
    }
  }
}

data "cloudinit_config" "plain" {
  gzip          = false
  base64_encode = false

  part {
    content_type = "text/x-shellscript"
    content      = "foo1"
    filename     = "foofile1.txt"
    merge_type   = "list()+dict()+str()"
  }

  part {
    content_type = "text/x-shellscript"
    content      = "bar1"
    filename     = "barfile1.txt"
    merge_type   = "list()+dict()+str()"
  }
}

data "template_cloudinit_config" "b64" {
  gzip = false

  part {
    content_type = "text/x-shellscript"
    content      = "heythere"
  }
}

data "cloudinit_config" "gzipped" {
  part {
    content = "echo ECS_CLUSTER=apps >> /etc/ecs/ecs.config"
  }
}

output "plain" {
  value = data.cloudinit_config.plain.rendered
}

output "b64" {
  value = data.template_cloudinit_config.b64.rendered
}

output "gzipped" {
  value = data.cloudinit_config.gzipped
}
"#,
    );
    let d = dir.path();
    let out = support::run_in(d, "plan", &["-json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let plan: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    let planned = &plan["output_changes"]["plain"]["after"];
    assert_eq!(
        planned,
        "Content-Type: multipart/mixed; boundary=\"MIMEBOUNDARY\"\nMIME-Version: 1.0\r\n\r\n--MIMEBOUNDARY\r\nContent-Disposition: attachment; filename=\"foofile1.txt\"\r\nContent-Transfer-Encoding: 7bit\r\nContent-Type: text/x-shellscript\r\nMime-Version: 1.0\r\nX-Merge-Type: list()+dict()+str()\r\n\r\nfoo1\r\n--MIMEBOUNDARY\r\nContent-Disposition: attachment; filename=\"barfile1.txt\"\r\nContent-Transfer-Encoding: 7bit\r\nContent-Type: text/x-shellscript\r\nMime-Version: 1.0\r\nX-Merge-Type: list()+dict()+str()\r\n\r\nbar1\r\n--MIMEBOUNDARY--\r\n",
        "{}",
        out.stdout
    );
    let out = outputs(d);
    assert_eq!(
        out["b64"]["value"],
        "Q29udGVudC1UeXBlOiBtdWx0aXBhcnQvbWl4ZWQ7IGJvdW5kYXJ5PSJNSU1FQk9VTkRBUlkiCk1JTUUtVmVyc2lvbjogMS4wDQoNCi0tTUlNRUJPVU5EQVJZDQpDb250ZW50LVRyYW5zZmVyLUVuY29kaW5nOiA3Yml0DQpDb250ZW50LVR5cGU6IHRleHQveC1zaGVsbHNjcmlwdA0KTWltZS1WZXJzaW9uOiAxLjANCg0KaGV5dGhlcmUNCi0tTUlNRUJPVU5EQVJZLS0NCg=="
    );
    let gz = &out["gzipped"]["value"];
    assert_eq!(gz["gzip"], true);
    assert_eq!(gz["boundary"], "MIMEBOUNDARY");
    assert_eq!(gz["part"][0]["content_type"], "text/plain");
    let rendered = gz["rendered"].as_str().unwrap();
    assert!(rendered.starts_with("H4sIAAAAAAAA/"), "{rendered}");
    assert_eq!(
        gz["id"],
        crc32fast::hash(rendered.as_bytes()).to_string().as_str()
    );

    // gzip without base64 is refused at validate, as the provider refuses it.
    let dir = workdir(
        "data \"cloudinit_config\" \"c\" {\n  gzip          = true\n  base64_encode = false\n\n  part {\n    content = \"x\"\n  }\n}\n",
    );
    let out = support::run_in(dir.path(), "validate", &[] as &[&str]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stderr
            .contains("Expected base64_encode to be set to true when gzip is true"),
        "{}",
        out.stderr
    );
}
