//! Reads a directory of `*.tf` files into a [`Module`], following local module sources.
//!
//! Structural mistakes (unknown blocks, wrong labels, arguments set twice, duplicate
//! declarations, non-local module sources) become diagnostics; loading carries on so that one
//! run reports them all.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hcl::edit::expr::Expression;
use hcl::edit::structure::{Attribute, Block, Body, Structure};

use super::{
    BodyExpr, Expr, Lifecycle, Local, Mode, Module, ModuleCall, Output, Provider, Resource,
    ResourceKey, TerraformBlock, Validation, Variable,
};
use crate::config::limits::{self, MAX_MODULE_CALLS};
use crate::diag::{display_path, Diagnostic, Diagnostics, FileId, Sources, Span};

/// Modules nested deeper than this are assumed to source themselves in a loop.
const MAX_MODULE_DEPTH: usize = 32;

/// Reads configuration files, remembering their text in [`Sources`] for diagnostics.
pub struct Loader<'a> {
    pub sources: &'a Sources,
    /// Paths are shown relative to this directory.
    pub base: PathBuf,
    pub diags: Diagnostics,
    /// The module directories being loaded, outermost first (to find a module that calls
    /// itself, directly or through others).
    pub stack: Vec<PathBuf>,
    /// Module calls loaded so far, against [`MAX_MODULE_CALLS`].
    pub module_calls: usize,
}

/// Loads the root module in `dir` and every local module below it.
pub fn load_root(dir: &Path, sources: &Sources) -> (Module, Diagnostics) {
    let mut loader = Loader {
        sources,
        base: dir.to_path_buf(),
        diags: Diagnostics::new(),
        stack: Vec::new(),
        module_calls: 0,
    };
    let module = loader.load_module(dir, 0, None);
    (module, loader.diags)
}

impl Loader<'_> {
    fn span(&self, file: FileId, node: &impl hcl::edit::Span) -> Option<Span> {
        node.span().map(|r| Span::new(file, r))
    }

    fn error(&mut self, summary: &str, detail: impl Into<String>, span: Option<Span>) {
        self.diags.push(Diagnostic::error(summary, detail).at(span));
    }

    /// Reads one source file into [`Sources`]. A file that is not UTF-8 is reported at its
    /// first invalid byte.
    pub fn read_source(&mut self, path: &Path) -> Option<(String, FileId)> {
        let display = display_path(path, &self.base);
        let bytes = match limits::read_file(path) {
            Ok(b) => b,
            Err(e) => {
                self.diags.push(Diagnostic::error(
                    "Failed to read file",
                    format!("Could not read {display}: {e}."),
                ));
                return None;
            }
        };
        match String::from_utf8(bytes) {
            Ok(text) => {
                let file = self.sources.add(display, text.as_str());
                Some((text, file))
            }
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                let file = self.sources.add(display, text.as_str());
                self.diags.push(
                    Diagnostic::error(
                        "Invalid character encoding",
                        "The file is not valid UTF-8 text: the byte at this position does not start or continue a UTF-8 character.",
                    )
                    .at(Some(Span::new(file, at..at + 1)))
                    .hint("Save the file as UTF-8."),
                );
                None
            }
        }
    }

    /// Parses one file; syntax errors become diagnostics.
    pub fn parse_file(&mut self, path: &Path) -> Option<(Body, FileId)> {
        let (text, file) = self.read_source(path)?;
        match hcl::edit::parser::parse_body(&text) {
            Ok(body) => Some((body, file)),
            Err(e) => {
                self.diags.push(syntax_diagnostic(&e, &text, file));
                None
            }
        }
    }

    fn load_module(&mut self, dir: &Path, depth: usize, call_span: Option<Span>) -> Module {
        self.stack.push(dir.to_path_buf());
        let module = self.load_module_files(dir, depth, call_span);
        self.stack.pop();
        module
    }

    fn load_module_files(&mut self, dir: &Path, depth: usize, call_span: Option<Span>) -> Module {
        let mut module = Module {
            dir: dir.to_path_buf(),
            display_dir: display_path(dir, &self.base),
            ..Module::default()
        };
        let mut files = match config_files(dir) {
            Ok(files) => files,
            Err(e) => {
                self.diags.push(
                    Diagnostic::error(
                        "Failed to read module directory",
                        format!("Could not read {}: {e}.", module.display_dir),
                    )
                    .at(call_span),
                );
                return module;
            }
        };
        if files.is_empty() {
            self.diags.push(
                Diagnostic::error(
                    "No configuration files",
                    format!(
                        "The directory {} contains no *.tf files.",
                        module.display_dir
                    ),
                )
                .at(call_span),
            );
        }
        files.sort();
        for path in files {
            if let Some((body, file)) = self.parse_file(&path) {
                self.add_file(&mut module, &body, file, depth);
            }
        }
        module
    }

    fn add_file(&mut self, module: &mut Module, body: &Body, file: FileId, depth: usize) {
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attr) => self.error(
                    "Unsupported argument",
                    format!(
                        "An argument named \"{}\" is not expected at the top level of a configuration file; only blocks (resource, variable, module, ...) are.",
                        attr.key.as_str()
                    ),
                    self.span(file, &attr.key),
                ),
                Structure::Block(block) => self.add_block(module, block, file, depth),
            }
        }
    }

    fn add_block(&mut self, module: &mut Module, block: &Block, file: FileId, depth: usize) {
        let kind = block.ident.as_str();
        let span = self.span(file, &block.ident);
        match kind {
            "terraform" => {
                if self.labels(block, file, 0, &[]).is_some() {
                    let tb = self.terraform_block(block, file);
                    module.terraform.push(tb);
                }
            }
            "provider" => {
                if let Some(labels) = self.labels(block, file, 1, &["name"]) {
                    let p = self.provider(block, file, labels[0].clone());
                    module.providers.push(p);
                }
            }
            "variable" => {
                if let Some(labels) = self.labels(block, file, 1, &["name"]) {
                    let name = labels[0].clone();
                    if let Some(prev) = module.variables.get(&name) {
                        self.duplicate("variable", &format!("\"{name}\""), span, prev.span.clone());
                    } else {
                        let v = self.variable(block, file, name.clone());
                        module.variables.insert(name, v);
                    }
                }
            }
            "locals" => {
                if self.labels(block, file, 0, &[]).is_some() {
                    self.locals(module, block, file);
                }
            }
            "output" => {
                if let Some(labels) = self.labels(block, file, 1, &["name"]) {
                    let name = labels[0].clone();
                    if let Some(prev) = module.outputs.get(&name) {
                        self.duplicate("output", &format!("\"{name}\""), span, prev.span.clone());
                    } else if let Some(o) = self.output(block, file, name.clone()) {
                        module.outputs.insert(name, o);
                    }
                }
            }
            "resource" | "data" => {
                if let Some(labels) = self.labels(block, file, 2, &["type", "name"]) {
                    let mode = if kind == "resource" {
                        Mode::Managed
                    } else {
                        Mode::Data
                    };
                    let key = ResourceKey {
                        mode,
                        type_name: labels[0].clone(),
                        name: labels[1].clone(),
                    };
                    if let Some(prev) = module.resources.get(&key) {
                        let what = if kind == "resource" {
                            "resource"
                        } else {
                            "data"
                        };
                        self.duplicate(
                            what,
                            &format!("\"{}\" \"{}\"", key.type_name, key.name),
                            span,
                            prev.span.clone(),
                        );
                    } else {
                        let r = self.resource(block, file, key.clone());
                        module.resources.insert(key, r);
                    }
                }
            }
            "module" => {
                if let Some(labels) = self.labels(block, file, 1, &["name"]) {
                    let name = labels[0].clone();
                    let prev = match module.module_calls.get(&name) {
                        Some(call) => Some(call.span.clone()),
                        None => module.rejected_module_calls.get(&name).cloned(),
                    };
                    if let Some(prev) = prev {
                        self.duplicate("module", &format!("\"{name}\""), span, prev);
                    } else if let Some(call) = self.module_call(module, block, file, name.clone(), depth)
                    {
                        module.module_calls.insert(name, call);
                    } else {
                        module
                            .rejected_module_calls
                            .insert(name, self.span(file, &block.ident));
                    }
                }
            }
            "moved" | "import" | "check" | "removed" => self.diags.push(
                Diagnostic::warning(
                    format!("\"{kind}\" blocks are ignored"),
                    format!("ecsform does not support \"{kind}\" blocks yet; this block has no effect."),
                )
                .at(span),
            ),
            other => self.diags.push(
                Diagnostic::error(
                    "Unsupported block type",
                    format!("Blocks of type \"{other}\" are not expected here."),
                )
                .at(span)
                .hint(
                    "Top-level blocks are terraform, provider, variable, locals, resource, data, module and output.",
                ),
            ),
        }
    }

    fn duplicate(&mut self, kind: &str, name: &str, span: Option<Span>, prev: Option<Span>) {
        self.diags.push(
            Diagnostic::error(
                format!("Duplicate {kind} {name} configuration"),
                format!("A {kind} named {name} was already declared. Names must be unique within a module."),
            )
            .at(span)
            .related("first declared here", prev)
            .hint("Rename or remove one of the two blocks."),
        );
    }

    /// Checks the number and form of block labels; `None` (with a diagnostic) when wrong.
    fn labels(
        &mut self,
        block: &Block,
        file: FileId,
        want: usize,
        names: &[&str],
    ) -> Option<Vec<String>> {
        let kind = block.ident.as_str();
        let got = &block.labels;
        if got.len() < want {
            let missing = names[got.len()];
            self.diags.push(
                Diagnostic::error(
                    format!("Missing {missing} for {kind}"),
                    format!(
                        "A {kind} block needs {want} label(s): {}.",
                        names.join(" and ")
                    ),
                )
                .at(self.span(file, &block.ident))
                .hint(match kind {
                    "resource" | "data" => {
                        format!("Write it as {kind} \"TYPE\" \"NAME\" {{ ... }}.")
                    }
                    _ => format!("Write it as {kind} \"NAME\" {{ ... }}."),
                }),
            );
            return None;
        }
        if got.len() > want {
            let extra = &got[want];
            self.diags.push(
                Diagnostic::error(
                    "Extraneous label",
                    format!(
                        "A {kind} block expects {want} label(s), but \"{}\" is one too many.",
                        extra.as_str()
                    ),
                )
                .at(self.span(file, extra)),
            );
            return None;
        }
        let mut ok = true;
        for label in got {
            if !is_identifier(label.as_str()) {
                ok = false;
                self.diags.push(
                    Diagnostic::error(
                        format!("Invalid {kind} name"),
                        format!(
                            "\"{}\" is not a valid name. A name must start with a letter or underscore and may contain only letters, digits, underscores and dashes.",
                            label.as_str()
                        ),
                    )
                    .at(self.span(file, label)),
                );
            }
        }
        ok.then(|| got.iter().map(|l| l.as_str().to_string()).collect())
    }

    fn expr(&self, attr: &Attribute, file: FileId) -> Expr {
        Expr {
            expr: attr.value.clone(),
            file,
        }
    }

    fn unsupported_argument(
        &mut self,
        attr: &Attribute,
        file: FileId,
        context: &str,
        allowed: &str,
    ) {
        self.diags.push(
            Diagnostic::error(
                "Unsupported argument",
                format!(
                    "An argument named \"{}\" is not expected in {context}.",
                    attr.key.as_str()
                ),
            )
            .at(self.span(file, &attr.key))
            .hint(format!("Arguments allowed here: {allowed}.")),
        );
    }

    fn unsupported_block(&mut self, block: &Block, file: FileId, context: &str) {
        self.diags.push(
            Diagnostic::error(
                "Unsupported block type",
                format!(
                    "Blocks of type \"{}\" are not expected in {context}.",
                    block.ident.as_str()
                ),
            )
            .at(self.span(file, &block.ident)),
        );
    }

    fn literal_bool(&mut self, attr: &Attribute, file: FileId) -> bool {
        match &attr.value {
            Expression::Bool(b) => **b,
            _ => {
                self.diags.push(
                    Diagnostic::error(
                        "Invalid value",
                        format!(
                            "\"{}\" must be the literal true or false.",
                            attr.key.as_str()
                        ),
                    )
                    .at(self.span(file, &attr.value)),
                );
                false
            }
        }
    }

    fn literal_string(&mut self, attr: &Attribute, file: FileId) -> Option<String> {
        match &attr.value {
            Expression::String(s) => Some(s.to_string()),
            Expression::StringTemplate(t) if t.iter().all(|e| e.is_literal()) => Some(
                t.iter()
                    .filter_map(|e| e.as_literal().map(|l| l.to_string()))
                    .collect(),
            ),
            Expression::HeredocTemplate(h) if h.template.iter().all(|e| e.is_literal()) => Some(
                h.template
                    .iter()
                    .filter_map(|e| e.as_literal().map(|l| l.to_string()))
                    .collect(),
            ),
            _ => {
                self.diags.push(
                    Diagnostic::error(
                        "Invalid value",
                        format!(
                            "\"{}\" must be a literal string; references and functions are not allowed here.",
                            attr.key.as_str()
                        ),
                    )
                    .at(self.span(file, &attr.value)),
                );
                None
            }
        }
    }

    fn terraform_block(&mut self, block: &Block, file: FileId) -> TerraformBlock {
        let mut tb = TerraformBlock {
            span: self.span(file, &block.ident),
            ..TerraformBlock::default()
        };
        for s in block.body.iter() {
            match s {
                Structure::Attribute(attr) => match attr.key.as_str() {
                    "required_version" => tb.required_version = Some(self.expr(attr, file)),
                    "experiments" => {}
                    _ => self.unsupported_argument(
                        attr,
                        file,
                        "a terraform block",
                        "required_version, required_providers (block), backend (block)",
                    ),
                },
                Structure::Block(b) => match b.ident.as_str() {
                    "required_providers" => {
                        for s in b.body.iter() {
                            match s {
                                Structure::Attribute(a) => tb
                                    .required_providers
                                    .push((a.key.to_string(), self.expr(a, file))),
                                Structure::Block(inner) => {
                                    self.unsupported_block(inner, file, "required_providers")
                                }
                            }
                        }
                    }
                    "backend" | "cloud" => self.diags.push(
                        Diagnostic::warning(
                            format!("{} configuration ignored", b.ident.as_str()),
                            "ecsform keeps state in a local SQLite file (state/ecsform.sqlite, or -state=PATH); this block has no effect.",
                        )
                        .at(self.span(file, &b.ident)),
                    ),
                    _ => self.unsupported_block(b, file, "a terraform block"),
                },
            }
        }
        tb
    }

    fn provider(&mut self, block: &Block, file: FileId, name: String) -> Provider {
        let mut alias = None;
        for attr in block.body.attributes() {
            if attr.key.as_str() == "alias" {
                alias = self.literal_string(attr, file);
            }
        }
        Provider {
            name,
            alias,
            body: BodyExpr {
                body: block.body.clone(),
                file,
            },
            span: self.span(file, &block.ident),
        }
    }

    fn variable(&mut self, block: &Block, file: FileId, name: String) -> Variable {
        let mut v = Variable {
            name,
            type_expr: None,
            default: None,
            description: None,
            sensitive: false,
            nullable: true,
            validations: Vec::new(),
            span: self.span(file, &block.ident),
        };
        for s in block.body.iter() {
            match s {
                Structure::Attribute(attr) => match attr.key.as_str() {
                    "type" => v.type_expr = Some(self.expr(attr, file)),
                    "default" => v.default = Some(self.expr(attr, file)),
                    "description" => v.description = self.literal_string(attr, file),
                    "sensitive" => v.sensitive = self.literal_bool(attr, file),
                    "nullable" => v.nullable = self.literal_bool(attr, file),
                    "ephemeral" => {}
                    _ => self.unsupported_argument(
                        attr,
                        file,
                        "a variable block",
                        "type, default, description, sensitive, nullable, validation (block)",
                    ),
                },
                Structure::Block(b) if b.ident.as_str() == "validation" => {
                    if let Some(val) = self.condition_block(b, file) {
                        v.validations.push(val);
                    }
                }
                Structure::Block(b) => self.unsupported_block(b, file, "a variable block"),
            }
        }
        v
    }

    /// A `validation`, `precondition` or `postcondition` block.
    fn condition_block(&mut self, block: &Block, file: FileId) -> Option<Validation> {
        let mut condition = None;
        let mut error_message = None;
        for s in block.body.iter() {
            match s {
                Structure::Attribute(attr) => match attr.key.as_str() {
                    "condition" => condition = Some(self.expr(attr, file)),
                    "error_message" => error_message = Some(self.expr(attr, file)),
                    _ => self.unsupported_argument(
                        attr,
                        file,
                        &format!("a {} block", block.ident.as_str()),
                        "condition, error_message",
                    ),
                },
                Structure::Block(b) => {
                    self.unsupported_block(b, file, &format!("a {} block", block.ident.as_str()))
                }
            }
        }
        let missing = match (&condition, &error_message) {
            (None, _) => Some("condition"),
            (_, None) => Some("error_message"),
            _ => None,
        };
        if let Some(missing) = missing {
            self.diags.push(
                Diagnostic::error(
                    "Missing required argument",
                    format!(
                        "The argument \"{missing}\" is required in a {} block.",
                        block.ident.as_str()
                    ),
                )
                .at(self.span(file, &block.ident)),
            );
            return None;
        }
        Some(Validation {
            condition: condition?,
            error_message: error_message?,
        })
    }

    fn locals(&mut self, module: &mut Module, block: &Block, file: FileId) {
        for s in block.body.iter() {
            match s {
                Structure::Attribute(attr) => {
                    let name = attr.key.to_string();
                    let span = self.span(file, &attr.key);
                    if let Some(prev) = module.locals.get(&name) {
                        self.diags.push(
                            Diagnostic::error(
                                "Duplicate local value definition",
                                format!("A local value named \"{name}\" was already defined. Local value names must be unique within a module."),
                            )
                            .at(span)
                            .related("first defined here", prev.span.clone()),
                        );
                    } else {
                        let expr = self.expr(attr, file);
                        module
                            .locals
                            .insert(name.clone(), Local { name, expr, span });
                    }
                }
                Structure::Block(b) => self.unsupported_block(b, file, "a locals block"),
            }
        }
    }

    fn output(&mut self, block: &Block, file: FileId, name: String) -> Option<Output> {
        let mut value = None;
        let mut o_description = None;
        let mut sensitive = false;
        let mut depends_on = Vec::new();
        for s in block.body.iter() {
            match s {
                Structure::Attribute(attr) => match attr.key.as_str() {
                    "value" => value = Some(self.expr(attr, file)),
                    "description" => o_description = self.literal_string(attr, file),
                    "sensitive" => sensitive = self.literal_bool(attr, file),
                    "depends_on" => depends_on = self.depends_on(attr, file),
                    "ephemeral" => {}
                    _ => self.unsupported_argument(
                        attr,
                        file,
                        "an output block",
                        "value, description, sensitive, depends_on, precondition (block)",
                    ),
                },
                Structure::Block(b) if b.ident.as_str() == "precondition" => {
                    self.condition_block(b, file);
                }
                Structure::Block(b) => self.unsupported_block(b, file, "an output block"),
            }
        }
        let span = self.span(file, &block.ident);
        let Some(value) = value else {
            self.diags.push(
                Diagnostic::error(
                    "Missing required argument",
                    format!("The argument \"value\" is required in output \"{name}\"."),
                )
                .at(span),
            );
            return None;
        };
        Some(Output {
            name,
            value,
            description: o_description,
            sensitive,
            depends_on,
            span,
        })
    }

    /// `depends_on = [aws_x.y, module.z]`: each element must be a plain reference.
    fn depends_on(&mut self, attr: &Attribute, file: FileId) -> Vec<Expr> {
        let Expression::Array(items) = &attr.value else {
            self.diags.push(
                Diagnostic::error(
                    "Invalid depends_on",
                    "depends_on must be a list of references, such as [aws_vpc.main, module.network].",
                )
                .at(self.span(file, &attr.value)),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            let ok = match item {
                Expression::Traversal(t) => matches!(t.expr, Expression::Variable(_)),
                Expression::Variable(_) => true,
                _ => false,
            };
            if ok {
                out.push(Expr {
                    expr: item.clone(),
                    file,
                });
            } else {
                self.diags.push(
                    Diagnostic::error(
                        "Invalid depends_on reference",
                        "Each element of depends_on must be a reference to a resource, data source or module, without functions or operators.",
                    )
                    .at(self.span(file, item)),
                );
            }
        }
        out
    }

    fn resource(&mut self, block: &Block, file: FileId, key: ResourceKey) -> Resource {
        let mut r = Resource {
            key,
            count: None,
            for_each: None,
            depends_on: Vec::new(),
            provider: None,
            lifecycle: Lifecycle::default(),
            config: BodyExpr {
                body: Body::new(),
                file,
            },
            span: self.span(file, &block.ident),
            type_span: block.labels.first().and_then(|l| self.span(file, l)),
        };
        let mut config = Body::builder();
        for s in block.body.iter() {
            match s {
                Structure::Attribute(attr) => match attr.key.as_str() {
                    "count" => r.count = Some(self.expr(attr, file)),
                    "for_each" => r.for_each = Some(self.expr(attr, file)),
                    "depends_on" => r.depends_on = self.depends_on(attr, file),
                    "provider" => r.provider = self.provider_ref(attr, file),
                    _ => config = config.attribute(attr.clone()),
                },
                Structure::Block(b) => match b.ident.as_str() {
                    "lifecycle" => r.lifecycle = self.lifecycle(b, file),
                    // Provisioners and connections run commands on hosts; ecsform does not.
                    "provisioner" | "connection" => self.diags.push(
                        Diagnostic::warning(
                            format!("{} blocks are ignored", b.ident.as_str()),
                            "ecsform does not run provisioners; use user data or a configuration management tool instead.",
                        )
                        .at(self.span(file, &b.ident)),
                    ),
                    _ => config = config.block(b.clone()),
                },
            }
        }
        if r.count.is_some() && r.for_each.is_some() {
            self.diags.push(
                Diagnostic::error(
                    "Invalid combination of \"count\" and \"for_each\"",
                    "The \"count\" and \"for_each\" meta-arguments are mutually exclusive; only one may be used to be explicit about the number of resources to be created.",
                )
                .at(r.for_each.as_ref().and_then(Expr::span)),
            );
        }
        r.config.body = config.build();
        r
    }

    fn provider_ref(
        &mut self,
        attr: &Attribute,
        file: FileId,
    ) -> Option<(String, String, Option<Span>)> {
        let span = self.span(file, &attr.value);
        if let Expression::Traversal(t) = &attr.value {
            if let (Expression::Variable(name), [op]) = (&t.expr, t.operators.as_slice()) {
                if let hcl::edit::expr::TraversalOperator::GetAttr(alias) = op.value() {
                    return Some((name.to_string(), alias.to_string(), span));
                }
            }
        }
        if let Expression::Variable(name) = &attr.value {
            return Some((name.to_string(), String::new(), span));
        }
        self.diags.push(
            Diagnostic::error(
                "Invalid provider reference",
                "The provider argument must be a provider name and alias, such as aws.west, without quotes.",
            )
            .at(span),
        );
        None
    }

    fn lifecycle(&mut self, block: &Block, file: FileId) -> Lifecycle {
        let mut l = Lifecycle::default();
        for s in block.body.iter() {
            match s {
                Structure::Attribute(attr) => match attr.key.as_str() {
                    "create_before_destroy" => l.create_before_destroy = self.literal_bool(attr, file),
                    "prevent_destroy" => l.prevent_destroy = self.literal_bool(attr, file),
                    "ignore_changes" => l.ignore_changes = self.ignore_changes(attr, file),
                    "replace_triggered_by" => {
                        l.replace_triggered_by = self.depends_on(attr, file);
                    }
                    _ => self.unsupported_argument(
                        attr,
                        file,
                        "a lifecycle block",
                        "create_before_destroy, prevent_destroy, ignore_changes, replace_triggered_by, precondition (block), postcondition (block)",
                    ),
                },
                Structure::Block(b) => match b.ident.as_str() {
                    "precondition" => {
                        if let Some(c) = self.condition_block(b, file) {
                            l.preconditions.push(c);
                        }
                    }
                    "postcondition" => {
                        if let Some(c) = self.condition_block(b, file) {
                            l.postconditions.push(c);
                        }
                    }
                    _ => self.unsupported_block(b, file, "a lifecycle block"),
                },
            }
        }
        l
    }

    fn ignore_changes(&mut self, attr: &Attribute, file: FileId) -> Vec<String> {
        match &attr.value {
            Expression::Variable(v) if v.as_str() == "all" => vec!["*".into()],
            Expression::Array(items) => {
                let mut out = Vec::new();
                for item in items.iter() {
                    match item {
                        Expression::Variable(v) => out.push(v.to_string()),
                        Expression::String(s) => out.push(s.to_string()),
                        Expression::Traversal(_) => {
                            out.push(traversal_text(item).unwrap_or_default())
                        }
                        _ => self.diags.push(
                            Diagnostic::error(
                                "Invalid ignore_changes",
                                "Each element of ignore_changes must be an attribute name, such as tags or tags[\"Name\"].",
                            )
                            .at(self.span(file, item)),
                        ),
                    }
                }
                out
            }
            _ => {
                self.diags.push(
                    Diagnostic::error(
                        "Invalid ignore_changes",
                        "ignore_changes must be a list of attribute names or the keyword all.",
                    )
                    .at(self.span(file, &attr.value)),
                );
                Vec::new()
            }
        }
    }

    fn module_call(
        &mut self,
        parent: &Module,
        block: &Block,
        file: FileId,
        name: String,
        depth: usize,
    ) -> Option<ModuleCall> {
        let span = self.span(file, &block.ident);
        let mut source = None;
        let mut source_span = None;
        let mut count = None;
        let mut for_each = None;
        let mut depends_on = Vec::new();
        let mut inputs = BTreeMap::new();
        let mut version_span = None;
        for s in block.body.iter() {
            match s {
                Structure::Attribute(attr) => match attr.key.as_str() {
                    "source" => {
                        source_span = self.span(file, &attr.value);
                        source = self.literal_string(attr, file);
                    }
                    "version" => version_span = self.span(file, &attr.key),
                    "count" => count = Some(self.expr(attr, file)),
                    "for_each" => for_each = Some(self.expr(attr, file)),
                    "depends_on" => depends_on = self.depends_on(attr, file),
                    "providers" => {}
                    key => {
                        inputs.insert(
                            key.to_string(),
                            (self.expr(attr, file), self.span(file, &attr.key)),
                        );
                    }
                },
                Structure::Block(b) => self.unsupported_block(b, file, "a module block"),
            }
        }
        let Some(source) = source else {
            if source_span.is_none() {
                self.diags.push(
                    Diagnostic::error(
                        "Missing required argument",
                        format!("The argument \"source\" is required in module \"{name}\"."),
                    )
                    .at(span)
                    .hint("Point it at a local directory, such as source = \"./modules/vpc\"."),
                );
            }
            return None;
        };
        if !(source.starts_with("./") || source.starts_with("../")) {
            let kind = describe_source(&source);
            self.diags.push(
                Diagnostic::error(
                    "Unsupported module source",
                    format!(
                        "Module \"{name}\" uses {kind} \"{source}\". ecsform supports only local module sources: paths starting with ./ or ../."
                    ),
                )
                .at(source_span)
                .hint("Copy the module into this repository (e.g. modules/NAME) and set source = \"./modules/NAME\"."),
            );
            return None;
        }
        // With a registry source, "version" is part of the unsupported source reported above.
        if version_span.is_some() {
            self.diags.push(
                Diagnostic::error(
                    "Unsupported argument",
                    "\"version\" applies only to registry modules; ecsform supports local module sources only.",
                )
                .at(version_span),
            );
        }
        if count.is_some() && for_each.is_some() {
            self.diags.push(
                Diagnostic::error(
                    "Invalid combination of \"count\" and \"for_each\"",
                    "The \"count\" and \"for_each\" meta-arguments are mutually exclusive.",
                )
                .at(for_each.as_ref().and_then(Expr::span)),
            );
        }
        let dir = normalize(&parent.dir.join(&source));
        if !dir.is_dir() {
            self.diags.push(
                Diagnostic::error(
                    "Module directory not found",
                    format!(
                        "Module \"{name}\" has source \"{source}\", but {} is not a directory.",
                        display_path(&dir, &self.base)
                    ),
                )
                .at(source_span),
            );
            return None;
        }
        if let Some(pos) = self.stack.iter().position(|d| *d == dir) {
            let chain: Vec<String> = self.stack[pos..]
                .iter()
                .chain([&dir])
                .map(|d| format!("\"{}\"", display_path(d, &self.base)))
                .collect();
            self.diags.push(
                Diagnostic::error(
                    "Module calls itself",
                    format!(
                        "Module \"{name}\" has source \"{source}\", which is a module that is already being loaded here: {}. A module cannot include itself, directly or through other modules.",
                        chain.join(" → ")
                    ),
                )
                .at(source_span),
            );
            return None;
        }
        self.module_calls += 1;
        if self.module_calls > MAX_MODULE_CALLS {
            // Reported once, at the first call over the limit.
            if self.module_calls == MAX_MODULE_CALLS + 1 {
                self.diags.push(
                    Diagnostic::error(
                        "Too many module calls",
                        format!("The module tree has more than {MAX_MODULE_CALLS} module calls (each call counted once per place it is reached from); ecsform stops loading modules here."),
                    )
                    .at(source_span),
                );
            }
            return None;
        }
        if depth >= MAX_MODULE_DEPTH {
            self.diags.push(
                Diagnostic::error(
                    "Module nesting too deep",
                    format!("Modules are nested more than {MAX_MODULE_DEPTH} levels deep; a module probably includes itself."),
                )
                .at(source_span),
            );
            return None;
        }
        let module = self.load_module(&dir, depth + 1, source_span.clone());
        Some(ModuleCall {
            name,
            source,
            source_span,
            count,
            for_each,
            depends_on,
            inputs,
            span,
            module: Box::new(module),
        })
    }
}

/// The `*.tf` files of a directory (not `.tf.json`, not hidden files).
fn config_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_file() && name.ends_with(".tf") && !name.starts_with('.') {
            out.push(path);
        }
    }
    Ok(out)
}

/// Removes `.` and `..` components without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

fn describe_source(source: &str) -> &'static str {
    if source.starts_with("git::")
        || source.starts_with("github.com/")
        || source.starts_with("git@")
        || source.contains(".git")
    {
        "the git source"
    } else if source.starts_with("http://") || source.starts_with("https://") {
        "the HTTP source"
    } else if source.starts_with("s3::") || source.starts_with("gcs::") {
        "the bucket source"
    } else if source.starts_with('/') {
        "the absolute path"
    } else if source.split('/').count() >= 3 {
        "the registry module"
    } else {
        "the module source"
    }
}

pub(crate) fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// `tags["Name"]` / `tags.Name` as written, for ignore_changes.
fn traversal_text(expr: &Expression) -> Option<String> {
    use hcl::edit::expr::TraversalOperator as Op;
    let Expression::Traversal(t) = expr else {
        return None;
    };
    let Expression::Variable(root) = &t.expr else {
        return None;
    };
    let mut s = root.to_string();
    for op in &t.operators {
        match op.value() {
            Op::GetAttr(a) => {
                s.push('.');
                s.push_str(a.as_str());
            }
            Op::Index(Expression::String(k)) => s.push_str(&format!("[\"{}\"]", k.as_str())),
            Op::Index(Expression::Number(n)) => s.push_str(&format!("[{}]", n.as_ref())),
            Op::LegacyIndex(i) => s.push_str(&format!("[{}]", i.value())),
            _ => return None,
        }
    }
    Some(s)
}

/// A parse error as a diagnostic. hcl-edit reports an argument set twice as a syntax error;
/// that one gets Terraform's wording.
pub(crate) fn syntax_diagnostic(
    e: &hcl::edit::parser::Error,
    text: &str,
    file: FileId,
) -> Diagnostic {
    let offset = e.location().offset().min(text.len());
    if e.message().contains("redefined attribute") {
        let key: String = text[offset..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        return Diagnostic::error(
            "Attribute redefined",
            format!("The argument \"{key}\" was already set earlier in this block. Each argument may be set only once."),
        )
        .at(Some(Span::new(file, offset..offset + key.len().max(1))))
        .hint("Remove one of the two definitions.");
    }
    let msg = e.message();
    if msg.contains("nesting depth") || msg.contains("chained binary operators") {
        return Diagnostic::error("Nesting too deep", syntax_message(msg))
            .at(Some(Span::new(file, offset..offset + 1)))
            .hint("Brackets, braces, blocks, function calls, for expressions and template directives nest at most 64 levels, and at most 128 binary operators follow each other; split the expression into locals.");
    }
    if let Some(d) = unclosed_token(text, file) {
        return d;
    }
    Diagnostic::error("Invalid HCL syntax", syntax_message(e.message()))
        .at(Some(Span::new(file, offset..offset + 1)))
        .hint("Check for a missing quote, bracket or brace near this position.")
}

/// hcl-edit reports some mistakes far from their cause: a block missing its `}` at the end of
/// the file, a string missing its closing quote wherever the next quote happens to be, a
/// heredoc missing its end marker at the heredoc's first line. Once parsing has failed, a
/// light scan of the text (comments, strings, heredocs, brackets) finds the opening token.
fn unclosed_token(text: &str, file: FileId) -> Option<Diagnostic> {
    enum Open {
        Bracket(usize, u8),
        /// `${` or `%{` inside the quoted string that starts at `.0`.
        Interp(usize, usize),
    }
    let b = text.as_bytes();
    let at = |r: std::ops::Range<usize>| Some(Span::new(file, r));
    let line_end = |i: usize| text[i..].find('\n').map_or(text.len(), |n| i + n);
    let unterminated_string = |q: usize| {
        Diagnostic::error(
            "Unterminated template string",
            "This quoted string has no closing quote before the end of the line. Quoted strings cannot span lines.",
        )
        .at(at(q..line_end(q)))
        .hint("Add the closing quote; for text over several lines use a heredoc (<<EOT ... EOT) or \\n.")
    };
    let closer = |c: u8| match c {
        b'{' => b'}',
        b'[' => b']',
        _ => b')',
    };
    // A bracket whose closer is missing; `depth` 0 is a top-level block.
    let unclosed = |open: usize, c: u8, depth: usize| {
        let close = closer(c) as char;
        let (summary, detail) = match (c, depth) {
            (b'{', 0) => ("Unclosed configuration block", "There is no closing brace for this block before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.".to_string()),
            (b'{', _) => ("Unclosed brace", format!("This {{ has no matching {close}.")),
            (b'[', _) => ("Unclosed bracket", format!("This [ has no matching {close}.")),
            _ => ("Unclosed parenthesis", format!("This ( has no matching {close}.")),
        };
        Diagnostic::error(summary, detail)
            .at(at(open..open + 1))
            .hint(format!("Add the missing {close} where this ends."))
    };
    let mut stack: Vec<Open> = Vec::new();
    // The offset of the opening quote while inside a quoted string.
    let mut string: Option<usize> = None;
    let mut i = 0;
    while i < b.len() {
        let next = b.get(i + 1).copied();
        if let Some(q) = string {
            match b[i] {
                b'\\' => i += 1,
                b'"' => string = None,
                b'\n' => return Some(unterminated_string(q)),
                b'$' | b'%' if next == Some(b[i]) && b.get(i + 2) == Some(&b'{') => i += 2,
                b'$' | b'%' if next == Some(b'{') => {
                    stack.push(Open::Interp(q, i));
                    string = None;
                    i += 1;
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        match b[i] {
            b'#' => i = line_end(i),
            b'/' if next == Some(b'/') => i = line_end(i),
            b'/' if next == Some(b'*') => i = text[i + 2..].find("*/").map(|n| i + 2 + n + 1)?,
            b'"' => string = Some(i),
            b'{' | b'[' | b'(' => stack.push(Open::Bracket(i, b[i])),
            b'}' | b']' | b')' => match stack.pop() {
                Some(Open::Interp(q, _)) => string = Some(q),
                Some(Open::Bracket(open, c)) if closer(c) != b[i] => {
                    return Some(unclosed(open, c, stack.len()))
                }
                Some(Open::Bracket(..)) => {}
                // A stray closer: the parser's own message is the better one.
                None => return None,
            },
            b'<' if next == Some(b'<') => {
                let start = i;
                let mut j = i + 2;
                if b.get(j) == Some(&b'-') {
                    j += 1;
                }
                let name_start = j;
                while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                    j += 1;
                }
                let name = &text[name_start..j];
                if !name.is_empty() && text[j..line_end(j)].trim().is_empty() {
                    let mut k = line_end(j);
                    loop {
                        if k >= b.len() {
                            return Some(
                                Diagnostic::error(
                                    "Unterminated heredoc",
                                    format!("No line holding only the end marker {name} follows this heredoc, so it runs to the end of the file."),
                                )
                                .at(at(start..j))
                                .hint(format!("End the heredoc with a line containing just {name}.")),
                            );
                        }
                        let end = line_end(k + 1);
                        if text[k + 1..end].trim() == name {
                            i = end;
                            break;
                        }
                        k = end;
                    }
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    if let Some(q) = string {
        return Some(unterminated_string(q));
    }
    match stack.first()? {
        Open::Interp(_, open) => Some(
            Diagnostic::error(
                "Unclosed template interpolation",
                "This ${ or %{ has no closing } before the end of the file.",
            )
            .at(at(*open..open + 2)),
        ),
        Open::Bracket(open, c) => Some(unclosed(*open, *c, 0)),
    }
}

/// hcl-edit's messages are terse ("expected `}`"); keep them but make them a sentence.
fn syntax_message(msg: &str) -> String {
    let msg = msg.trim();
    let mut s = msg.replace('\n', " ");
    if !s.ends_with('.') {
        s.push('.');
    }
    format!("The file could not be parsed: {s}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(files: &[(&str, &str)]) -> (Module, Diagnostics, Sources) {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let p = dir.path().join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let sources = Sources::default();
        let (m, d) = load_root(dir.path(), &sources);
        (m, d, sources)
    }

    #[test]
    fn loads_blocks_of_every_kind() {
        let (m, d, _) = load(&[
            (
                "main.tf",
                r#"
terraform { required_version = ">= 1.0" }
provider "aws" { region = var.region }
variable "region" { default = "eu-west-1" }
locals { name = "x" }
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
data "aws_ami" "ecs" { most_recent = true }
module "net" {
  source = "./net"
  cidr = "10.0.0.0/16"
}
output "id" { value = aws_vpc.main.id }
"#,
            ),
            ("net/main.tf", "variable \"cidr\" {}\n"),
        ]);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(m.variables.len(), 1);
        assert_eq!(m.resources.len(), 2);
        assert_eq!(m.module_calls["net"].module.variables.len(), 1);
        assert_eq!(m.providers[0].name, "aws");
    }

    #[test]
    fn rejected_module_calls_stay_declared() {
        let (m, d, _) = load(&[(
            "main.tf",
            r#"
module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.1.0"
}
module "vpc" { source = "./vpc" }
module "gone" { source = "./gone" }
module "local" {
  source  = "./local"
  version = "1.0.0"
}
"#,
        )]);
        let summaries: Vec<_> = d.iter().map(|d| d.summary.as_str()).collect();
        // "version" goes with the registry source, so only the source is reported there.
        assert_eq!(
            summaries,
            [
                "Unsupported module source",
                "Duplicate module \"vpc\" configuration",
                "Module directory not found",
                "Unsupported argument",
                "Module directory not found",
            ]
        );
        assert!(m.module_calls.is_empty());
        let rejected: Vec<_> = m.rejected_module_calls.keys().map(String::as_str).collect();
        assert_eq!(rejected, ["gone", "local", "vpc"]);
    }

    #[test]
    fn rejects_duplicate_arguments() {
        let (_, d, _) = load(&[(
            "main.tf",
            "resource \"null_resource\" \"a\" {\n  count = 1\n  count = 2\n}\n",
        )]);
        let summaries: Vec<_> = d.iter().map(|d| d.summary.as_str()).collect();
        assert_eq!(summaries, ["Attribute redefined"]);
    }

    #[test]
    fn syntax_errors_point_at_the_unclosed_token() {
        let cases = [
            (
                "resource \"a\" \"b\" {\n  x = \"${var.y}\"\n\nlocals {}\n",
                "Unclosed configuration block",
                (1, 18),
            ),
            (
                "locals {\n  a = \"x\n}\n\nlocals { b = \"y\" }\n",
                "Unterminated template string",
                (2, 7),
            ),
            (
                "locals {\n  a = <<-EOT\n  text\n}\n",
                "Unterminated heredoc",
                (2, 7),
            ),
            ("locals {\n  a = [1, 2\n}\n", "Unclosed bracket", (2, 7)),
        ];
        for (text, summary, (line, col)) in cases {
            let (_, d, sources) = load(&[("main.tf", text)]);
            assert_eq!(d.len(), 1, "{text}: {d:?}");
            assert_eq!(d.0[0].summary, summary, "{text}");
            let loc = sources.location(d.0[0].span.as_ref().unwrap());
            assert_eq!((loc.line, loc.column), (line, col), "{text}");
        }
        // Balanced text with a real syntax error keeps the parser's message.
        let (_, d, _) = load(&[(
            "main.tf",
            "locals {\n  a = \"x\" ?? 1\n  b = <<EOT\nx\nEOT\n}\n",
        )]);
        assert_eq!(d.0[0].summary, "Invalid HCL syntax");
    }

    #[test]
    fn reports_syntax_errors_in_every_file() {
        let (_, d, sources) = load(&[("a.tf", "resource \"x\" {\n"), ("b.tf", "locals { a = }\n")]);
        assert_eq!(d.len(), 2);
        let loc = sources.location(d.0[1].span.as_ref().unwrap());
        assert_eq!(loc.file, "b.tf");
    }
}
