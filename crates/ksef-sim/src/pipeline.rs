//! Asynchronous per-invoice processing (DIGEST §8 "Send", §11, "Simulator notes" steps
//! 1–11): 100 → 150 → final, then session completion (170 → 200 / 445 / 440, UPO).

use ksef_core::hash::Sha256Hash;
use time::OffsetDateTime;

use crate::Simulator;
use crate::config::RulesProfile;
use crate::ids::{RefType, ksef_number, reference};
use crate::invoice_xml::{self, InvoiceFields};
use crate::state::{Ident, Status};
use crate::util::warsaw_date;
use crate::xsd::Schema;

/// Starts processing one invoice in the background.
pub(crate) fn start(sim: Simulator, session_ref: String, invoice_ref: String) {
    tokio::spawn(async move { run(sim, session_ref, invoice_ref).await });
}

/// What the pipeline needs from the session and the invoice, copied out of the lock.
struct Job {
    key: Option<ksef_core::crypto::InvoiceEncryptionKey>,
    encrypted: Vec<u8>,
    declared_size: u64,
    declared_hash: String,
    schema: Option<Schema>,
    context: Ident,
    permissions: Vec<String>,
    offline_mode: bool,
    invoicing_date: OffsetDateTime,
    hash_of_corrected: Option<String>,
    /// Batch invoices arrive already decrypted and unpacked.
    plain: Option<Vec<u8>>,
}

/// The outcome of the checks that need no global state.
enum Checked {
    Rejected(Status, InvoiceFields),
    Accepted(InvoiceFields, Vec<u8>, time::Date),
}

fn set_status(sim: &Simulator, session_ref: &str, invoice_ref: &str, status: Status) {
    let mut st = sim.state();
    if let Some(i) = st
        .sessions
        .get_mut(session_ref)
        .and_then(|s| s.invoices.iter_mut().find(|i| i.reference == invoice_ref))
    {
        i.status = status;
    }
}

async fn run(sim: Simulator, session_ref: String, invoice_ref: String) {
    let delays = sim.config().delays;
    tokio::time::sleep(delays.invoice_accept).await;
    set_status(
        &sim,
        &session_ref,
        &invoice_ref,
        Status::new(150, "Trwa przetwarzanie"),
    );
    tokio::time::sleep(delays.invoice_process).await;
    process(&sim, &session_ref, &invoice_ref).await;
    maybe_finish(sim, session_ref);
}

/// Runs the checks on one invoice and records the final status (no delays).
pub(crate) async fn process(sim: &Simulator, session_ref: &str, invoice_ref: &str) {
    let job = {
        let st = sim.state();
        let Some(s) = st.sessions.get(session_ref) else {
            return;
        };
        let Some(i) = s.invoices.iter().find(|i| i.reference == invoice_ref) else {
            return;
        };
        Job {
            key: s.key.clone(),
            encrypted: i.encrypted.clone(),
            declared_size: i.invoice_size,
            declared_hash: i.invoice_hash.clone(),
            schema: match s.system_code.as_str() {
                "FA (3)" => Some(Schema::Fa3),
                "FA (2)" => Some(Schema::Fa2),
                _ => None,
            },
            context: s.context.clone(),
            permissions: s.permissions.clone(),
            offline_mode: i.offline_mode,
            invoicing_date: i.invoicing_date,
            hash_of_corrected: i.hash_of_corrected.clone(),
            plain: i.plain.clone(),
        }
    };
    let checked = check(sim, &job).await;
    finish(sim, session_ref, invoice_ref, &job, checked);
}

fn semantic(detail: impl Into<String>) -> Status {
    Status::new(450, "Błąd weryfikacji semantyki dokumentu faktury").detail(detail)
}

/// Steps 1–8 and 10 of the simulator notes.
async fn check(sim: &Simulator, job: &Job) -> Checked {
    let none = InvoiceFields::default;
    let xml = match &job.plain {
        Some(p) => p.clone(),
        None => {
            let decrypted = job
                .key
                .as_ref()
                .and_then(|k| k.decrypt_bytes(&job.encrypted).ok());
            let Some(xml) = decrypted else {
                return Checked::Rejected(
                    Status::new(435, "Błąd odszyfrowania pliku")
                        .detail("Plik niepoprawnie zaszyfrowany"),
                    none(),
                );
            };
            xml
        }
    };
    let verify = |d: String| Status::new(430, "Błąd weryfikacji pliku faktury").detail(d);
    if xml.len() as u64 != job.declared_size {
        return Checked::Rejected(
            verify(format!(
                "Rozmiar przesłanego pliku faktury nie zgadza się z zadeklarowaną wartością: {}.",
                job.declared_size
            )),
            none(),
        );
    }
    if Sha256Hash::of(&xml).to_base64() != job.declared_hash {
        return Checked::Rejected(
            verify(
                "Skrót przesłanego pliku faktury nie zgadza się z zadeklarowaną wartością.".into(),
            ),
            none(),
        );
    }
    let fields = match invoice_xml::check(&xml) {
        Ok(f) => f,
        Err(e) => {
            return Checked::Rejected(semantic("Nieprawidłowy XML").detail(e.to_string()), none());
        }
    };
    // Size limits (DIGEST §11: 1 MB / 3 MB with attachments, per context; 1 MB = 10^6 B).
    let limits = {
        let st = sim.state();
        let l = st.limits_for(&job.context, sim.config().max_invoices_per_session);
        if job.plain.is_some() {
            l.batch_session
        } else {
            l.online_session
        }
    };
    let mb = if fields.has_attachment {
        limits.max_invoice_with_attachment_size_in_mb
    } else {
        limits.max_invoice_size_in_mb
    };
    let limit = mb as usize * 1_000_000;
    if xml.len() > limit {
        return Checked::Rejected(
            verify(format!(
                "Rozmiar pliku faktury ({} B) przekracza dopuszczalny limit {limit} B.",
                xml.len()
            )),
            fields,
        );
    }
    if let (Some(v), Some(schema)) = (sim.xsd(), job.schema)
        && let Err(messages) = v.validate(schema, xml.clone()).await
    {
        let mut s = Status::new(450, "Błąd weryfikacji semantyki dokumentu faktury");
        s.details = messages;
        return Checked::Rejected(s, fields);
    }
    let (Some(nip), Some(p1), Some(_)) = (&fields.seller_nip, &fields.p1, &fields.p2) else {
        return Checked::Rejected(
            semantic("Brak wymaganych elementów Podmiot1/NIP, P_1 lub P_2."),
            fields,
        );
    };
    let Ok(issue) = ksef_core::offline::parse_date(p1) else {
        return Checked::Rejected(
            semantic(format!("Nieprawidłowa data wystawienia P_1: {p1}.")),
            fields,
        );
    };
    let today = warsaw_date(sim.now());
    if issue > today {
        return Checked::Rejected(
            semantic(format!(
                "Data wystawienia faktury (P_1) {issue} jest późniejsza niż data przyjęcia {today}."
            )),
            fields,
        );
    }
    if sim.config().profile == RulesProfile::Prod && ksef_core::ident::check_nip(nip).is_err() {
        return Checked::Rejected(
            semantic(format!(
                "Nieprawidłowa suma kontrolna NIP sprzedawcy {nip}."
            )),
            fields,
        );
    }
    // Permission to issue for the seller: the context is the seller and the opener holds
    // InvoiceWrite there (relations such as self-billing are not modelled yet).
    let may_issue = job.context.kind == "Nip"
        && job.context.value == *nip
        && job.permissions.iter().any(|p| p == "InvoiceWrite");
    if !may_issue {
        return Checked::Rejected(
            Status::new(410, "Nieprawidłowy zakres uprawnień").detail(format!(
                "Brak uprawnień do wystawiania faktur w imieniu podmiotu {nip}."
            )),
            fields,
        );
    }
    if fields.has_attachment {
        let enabled = sim.state().attachments.contains(nip.as_str());
        // Attachments need the enable flag; online they are only allowed in a technical
        // correction, in batch always (DIGEST §9). Batch invoices arrive as `plain`.
        let online_non_correction = job.plain.is_none() && job.hash_of_corrected.is_none();
        if !enabled || online_non_correction {
            return Checked::Rejected(
                Status::new(415, "Brak możliwości wysyłania faktury z załącznikiem"),
                fields,
            );
        }
    }
    Checked::Accepted(fields, xml, issue)
}

/// Duplicate check (step 9) and KSeF-number assignment (step 11), atomically.
fn finish(sim: &Simulator, session_ref: &str, invoice_ref: &str, job: &Job, checked: Checked) {
    let now = sim.now();
    let storage = time::Duration::try_from(sim.config().delays.permanent_storage)
        .unwrap_or(time::Duration::ZERO);
    let mut guard = sim.state();
    let st = &mut *guard;
    let Some(idx) = st
        .sessions
        .get(session_ref)
        .and_then(|s| s.invoices.iter().position(|i| i.reference == invoice_ref))
    else {
        return;
    };
    let (status, fields, xml, issue) = match checked {
        Checked::Rejected(s, f) => (s, f, None, None),
        Checked::Accepted(f, xml, issue) => {
            let key = (
                f.seller_nip.clone().unwrap_or_default(),
                f.kind.clone().unwrap_or_default(),
                f.p2.clone().unwrap_or_default(),
            );
            if let Some((ksef, orig_session)) = st.duplicates.get(&key) {
                let mut s = Status::new(440, "Duplikat faktury").detail(format!(
                    "Duplikat faktury. Faktura o numerze KSeF: {ksef} została już prawidłowo przesłana do systemu w sesji: {orig_session}"
                ));
                s.extensions = vec![
                    (
                        "originalSessionReferenceNumber".into(),
                        orig_session.clone(),
                    ),
                    ("originalKsefNumber".into(), ksef.clone()),
                ];
                (s, f, None, Some(issue))
            } else {
                (Status::new(200, "Sukces"), f, Some(xml), Some(issue))
            }
        }
    };
    let ksef = if status.code == 200 {
        let seller = fields.seller_nip.clone().unwrap_or_default();
        ksef_number(&seller, job.invoicing_date, &mut sim.rng())
    } else {
        None
    };
    let status = if status.code == 200 && ksef.is_none() {
        Status::new(500, "Nieznany błąd (500)")
    } else {
        status
    };
    if let Some(k) = &ksef {
        let key = (
            fields.seller_nip.clone().unwrap_or_default(),
            fields.kind.clone().unwrap_or_default(),
            fields.p2.clone().unwrap_or_default(),
        );
        st.duplicates
            .insert(key, (k.clone(), session_ref.to_owned()));
        st.by_ksef.insert(k.clone(), (session_ref.to_owned(), idx));
        if let Some(h) = &job.hash_of_corrected {
            let originals: Vec<(String, usize)> = st.by_hash.get(h).cloned().unwrap_or_default();
            for (s, i) in originals {
                if let Some(orig) = st.sessions.get_mut(&s).and_then(|s| s.invoices.get_mut(i))
                    && orig.status.code != 200
                {
                    orig.corrected_by = Some(invoice_ref.to_owned());
                }
            }
        }
    }
    st.by_hash
        .entry(job.declared_hash.clone())
        .or_default()
        .push((session_ref.to_owned(), idx));
    let Some(inv) = st
        .sessions
        .get_mut(session_ref)
        .and_then(|s| s.invoices.get_mut(idx))
    else {
        return;
    };
    inv.invoice_number = fields.p2.clone();
    inv.seller_nip = fields.seller_nip.clone();
    inv.kind = fields.kind.clone();
    // Rejected invoices keep the parsed P_1 too (KOD I of a corrected invoice, UPO).
    let issue = issue.or_else(|| {
        fields
            .p1
            .as_deref()
            .and_then(|p| ksef_core::offline::parse_date(p).ok())
    });
    inv.issue_date = issue;
    inv.offline = job.offline_mode || issue.is_some_and(|d| d < warsaw_date(job.invoicing_date));
    if ksef.is_some() {
        inv.acquisition_date = Some(now);
        inv.permanent_storage_date = Some(now + storage);
        inv.xml = xml;
    }
    inv.ksef_number = ksef;
    inv.status = status;
    inv.encrypted = Vec::new();
    inv.plain = None;
}

/// Completes a closed session (170) once no invoice is pending: 200 with UPO pages,
/// 445 if none succeeded, 440 if none was sent.
pub(crate) fn maybe_finish(sim: Simulator, session_ref: String) {
    let ready = {
        let st = sim.state();
        st.sessions
            .get(&session_ref)
            .is_some_and(|s| closing(s) && s.pending() == 0)
    };
    if !ready {
        return;
    }
    tokio::spawn(async move {
        tokio::time::sleep(sim.config().delays.session_close).await;
        let receiver = sim.config().upo_receiver_name;
        let now = sim.now();
        let mut st = sim.state();
        let Some(s) = st.sessions.get(&session_ref) else {
            return;
        };
        if !closing(s) || s.pending() != 0 {
            return;
        }
        let batch = s.kind == crate::state::SessionKind::Batch;
        let ok = s.invoices.iter().filter(|i| i.status.code == 200).count();
        let (status, pages) = if s.invoices.is_empty() {
            (
                Status::new(440, "Sesja anulowana").detail("Nie przesłano faktur"),
                Vec::new(),
            )
        } else if ok == 0 {
            (
                Status::new(445, "Błąd weryfikacji, brak poprawnych faktur"),
                Vec::new(),
            )
        } else {
            let pages = crate::upo::session_upo_pages(&receiver, s);
            let mut rng = sim.rng();
            let pages: Vec<(String, Vec<u8>)> = pages
                .into_iter()
                .map(|p| (reference(RefType::Upo, now, &mut rng), p))
                .collect();
            let done = if batch {
                "Sesja wsadowa przetworzona pomyślnie"
            } else {
                "Sesja interaktywna przetworzona pomyślnie"
            };
            (Status::new(200, done), pages)
        };
        if let Some(s) = st.sessions.get_mut(&session_ref) {
            s.status = status;
            s.upo_pages = pages;
            s.updated = now;
        }
    });
}

/// A session waiting for completion: online closed (170), or batch processed (150 with
/// its invoices created).
fn closing(s: &crate::state::Session) -> bool {
    match s.kind {
        crate::state::SessionKind::Online => s.status.code == 170,
        crate::state::SessionKind::Batch => {
            s.status.code == 150 && s.batch.as_ref().is_some_and(|b| b.parts.is_empty())
        }
    }
}
