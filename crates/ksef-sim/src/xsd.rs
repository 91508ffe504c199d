//! XSD validation with libxml2, in-process (DIGEST §11: "valid against the schema
//! declared at session open" → invoice status 450 with the validator's messages).
//!
//! libxml2 objects are not `Send`, so one dedicated thread owns the compiled schemas and
//! answers validation requests over a channel. Schemas are read from the official files
//! (`schemat_FA(3)_v1-0E.xsd`, `schemat_FA(2)_v1-0E.xsd`, `upo/upo-v4-3.xsd`) in the
//! directory given with `--schemas`; network access is disabled while parsing.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use libxml::parser::{Parser, ParserOptions};
use libxml::schemas::{SchemaParserContext, SchemaValidationContext};
use tokio::sync::oneshot;

/// A schema the validator knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Schema {
    /// FA(3) `1-0E`.
    Fa3,
    /// FA(2) `1-0E` (TEST only).
    Fa2,
    /// UPO v4-3.
    UpoV43,
    /// AuthTokenRequest 2.0 (the Java SDK's compilable copy, schemas README problem 1).
    Auth20,
    /// AuthTokenRequest 2.1.
    Auth21,
}

impl Schema {
    fn file(self) -> &'static str {
        match self {
            Schema::Fa3 => "schemat_FA(3)_v1-0E.xsd",
            Schema::Fa2 => "schemat_FA(2)_v1-0E.xsd",
            Schema::UpoV43 => "upo/upo-v4-3.xsd",
            Schema::Auth20 => "auth/AuthTokenRequest.xsd",
            Schema::Auth21 => "auth/schemat_auth_v2-1.xsd",
        }
    }
}

/// Failure to load the schemas.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum XsdError {
    /// A schema file is missing.
    #[error("schema file {0} not found")]
    Missing(PathBuf),
    /// libxml2 could not compile a schema.
    #[error("schema {file} does not compile: {messages:?}")]
    Compile {
        /// The file.
        file: PathBuf,
        /// libxml2's messages.
        messages: Vec<String>,
    },
    /// The validator thread is gone.
    #[error("validator thread stopped")]
    Stopped,
}

type Job = (Schema, Vec<u8>, oneshot::Sender<Result<(), Vec<String>>>);

/// Handle to the validator thread.
#[derive(Debug, Clone)]
pub struct XsdValidator {
    tx: mpsc::Sender<Job>,
}

impl XsdValidator {
    /// Compiles the schemas in `dir` on a new thread.
    ///
    /// # Errors
    /// [`XsdError`] if a schema file is missing or does not compile.
    pub fn start(dir: &Path) -> Result<Self, XsdError> {
        let files: Vec<(Schema, PathBuf)> = [
            Schema::Fa3,
            Schema::Fa2,
            Schema::UpoV43,
            Schema::Auth20,
            Schema::Auth21,
        ]
        .into_iter()
        .map(|s| (s, dir.join(s.file())))
        .collect();
        for (_, f) in &files {
            if !f.is_file() {
                return Err(XsdError::Missing(f.clone()));
            }
        }
        let (tx, rx) = mpsc::channel::<Job>();
        let (ready_tx, ready_rx) = mpsc::channel::<Result<(), XsdError>>();
        std::thread::Builder::new()
            .name("ksef-sim-xsd".into())
            .spawn(move || {
                let mut ctxs = HashMap::new();
                for (schema, file) in files {
                    let mut parser = SchemaParserContext::from_file(&file.to_string_lossy());
                    match SchemaValidationContext::from_parser(&mut parser) {
                        Ok(c) => {
                            ctxs.insert(schema, c);
                        }
                        Err(errs) => {
                            let messages = errs.into_iter().filter_map(|e| e.message).collect();
                            let _ = ready_tx.send(Err(XsdError::Compile { file, messages }));
                            return;
                        }
                    }
                }
                let _ = ready_tx.send(Ok(()));
                while let Ok((schema, bytes, reply)) = rx.recv() {
                    let result = match ctxs.get_mut(&schema) {
                        Some(ctx) => validate(ctx, &bytes),
                        None => Err(vec!["schema not loaded".to_owned()]),
                    };
                    let _ = reply.send(result);
                }
            })
            .map_err(|_| XsdError::Stopped)?;
        ready_rx.recv().map_err(|_| XsdError::Stopped)??;
        Ok(XsdValidator { tx })
    }

    /// Validates `xml` against `schema`; `Err` carries the validator's messages.
    pub async fn validate(&self, schema: Schema, xml: Vec<u8>) -> Result<(), Vec<String>> {
        let (tx, rx) = oneshot::channel();
        if self.tx.send((schema, xml, tx)).is_err() {
            return Err(vec!["walidator XSD niedostępny".to_owned()]);
        }
        rx.await
            .unwrap_or_else(|_| Err(vec!["walidator XSD niedostępny".to_owned()]))
    }

    /// Blocking variant of [`validate`](Self::validate), for tests and non-async callers.
    pub fn validate_blocking(&self, schema: Schema, xml: Vec<u8>) -> Result<(), Vec<String>> {
        let (tx, rx) = oneshot::channel();
        if self.tx.send((schema, xml, tx)).is_err() {
            return Err(vec!["walidator XSD niedostępny".to_owned()]);
        }
        rx.blocking_recv()
            .unwrap_or_else(|_| Err(vec!["walidator XSD niedostępny".to_owned()]))
    }
}

fn validate(ctx: &mut SchemaValidationContext, bytes: &[u8]) -> Result<(), Vec<String>> {
    let options = ParserOptions {
        no_net: true,
        no_error: true,
        no_warning: true,
        ..ParserOptions::default()
    };
    let doc = Parser::default()
        .parse_string_with_options(bytes, options)
        .map_err(|_| vec!["Nieprawidłowy XML".to_owned()])?;
    ctx.validate_document(&doc).map_err(|errs| {
        errs.into_iter()
            .filter_map(|e| {
                e.message.map(|m| match e.line {
                    Some(l) if l > 0 => format!("Linia {l}: {}", m.trim_end()),
                    _ => m.trim_end().to_owned(),
                })
            })
            .collect()
    })
}

/// The default schema directory, if it exists: `$KSEF_SHARED/ksef/schemas` (the
/// project's convention, `scripts/test`), else `../shared/ksef/schemas` relative to the
/// repository root, else relative to the working directory.
pub fn default_schema_dir() -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(shared) = std::env::var_os("KSEF_SHARED") {
        candidates.push(PathBuf::from(shared).join("ksef/schemas"));
    }
    candidates.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/ksef/schemas"));
    candidates.push(PathBuf::from("../shared/ksef/schemas"));
    candidates
        .into_iter()
        .find(|p| p.join(Schema::Fa3.file()).is_file())
}
