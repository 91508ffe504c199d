//! UPO v4-3 (Urzędowe Poświadczenie Odbioru) generation (DIGEST §10).
//!
//! `NazwaPodmiotuPrzyjmujacego`: the XSD fixes it to `Ministerstwo Finansów`, while the
//! real TEST environment writes `Ministerstwo Finansów - środowisko testowe (TE)` and so
//! produces UPOs that fail the official schema (`shared/ksef/schemas/README.md`,
//! problem 3). The simulator emits the schema-valid [`RECEIVER_NAME_XSD`] by default, so a
//! client that validates UPOs works; [`RECEIVER_NAME_TEST`] can be chosen in
//! [`SimConfig::upo_receiver_name`](crate::SimConfig) to mimic TEST byte for byte.
//! The UPO is not XAdES-signed (optional in the simulator notes).

use std::fmt::Write as _;

use quick_xml::escape::escape;
use time::OffsetDateTime;
use time::macros::format_description;

use crate::state::{Ident, Invoice, Session};

/// The value the UPO XSD fixes.
pub const RECEIVER_NAME_XSD: &str = "Ministerstwo Finansów";
/// What the TEST environment actually writes.
pub const RECEIVER_NAME_TEST: &str = "Ministerstwo Finansów - środowisko testowe (TE)";
/// Documents per session-UPO page (DIGEST §10).
pub const PAGE_SIZE: usize = 10_000;

/// Local Warsaw time with milliseconds and offset, as in the official samples
/// (`2025-09-16T11:02:41.584+02:00`).
fn upo_ts(t: OffsetDateTime) -> String {
    let w = ksef_core::offline::to_warsaw(t).unwrap_or(t);
    w.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3][offset_hour sign:mandatory]:[offset_minute]"
    ))
    .unwrap_or_default()
}

fn context_element(ctx: &Ident) -> String {
    let name = match ctx.kind.as_str() {
        "InternalId" => "IdWewnetrzny",
        "NipVatUe" => "IdZlozonyVatUE",
        "PeppolId" => "IdDostawcyUslugPeppol",
        _ => "Nip",
    };
    format!("<{name}>{}</{name}>", escape(ctx.value.as_str()))
}

fn structure_name(session: &Session) -> String {
    // `FA (3)` + `1-0E` → `Schemat_FA(3)_v1-0E.xsd`.
    format!(
        "Schemat_{}_v{}.xsd",
        session.system_code.replace(' ', ""),
        session.schema_version
    )
}

fn document(out: &mut String, inv: &Invoice) {
    let _ = write!(
        out,
        "<Dokument><NipSprzedawcy>{}</NipSprzedawcy><NumerKSeFDokumentu>{}</NumerKSeFDokumentu>\
         <NumerFaktury>{}</NumerFaktury><DataWystawieniaFaktury>{}</DataWystawieniaFaktury>\
         <DataPrzeslaniaDokumentu>{}</DataPrzeslaniaDokumentu>\
         <DataNadaniaNumeruKSeF>{}</DataNadaniaNumeruKSeF><SkrotDokumentu>{}</SkrotDokumentu>\
         <TrybWysylki>{}</TrybWysylki></Dokument>",
        escape(inv.seller_nip.as_deref().unwrap_or_default()),
        escape(inv.ksef_number.as_deref().unwrap_or_default()),
        escape(inv.invoice_number.as_deref().unwrap_or_default()),
        inv.issue_date.map(|d| d.to_string()).unwrap_or_default(),
        upo_ts(inv.invoicing_date),
        upo_ts(inv.acquisition_date.unwrap_or(inv.invoicing_date)),
        escape(inv.invoice_hash.as_str()),
        if inv.offline { "Offline" } else { "Online" },
    );
}

struct Page {
    number: usize,
    pages: usize,
    from: usize,
    to: usize,
    total: usize,
}

fn build(receiver: &str, session: &Session, docs: &[&Invoice], page: Option<Page>) -> Vec<u8> {
    let mut out = String::with_capacity(1024 + docs.len() * 600);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    out.push_str("<Potwierdzenie xmlns=\"http://upo.schematy.mf.gov.pl/KSeF/v4-3\">");
    let _ = write!(
        out,
        "<NazwaPodmiotuPrzyjmujacego>{}</NazwaPodmiotuPrzyjmujacego>\
         <NumerReferencyjnySesji>{}</NumerReferencyjnySesji>\
         <Uwierzytelnienie><IdKontekstu>{}</IdKontekstu>{}</Uwierzytelnienie>",
        escape(receiver),
        escape(session.reference.as_str()),
        context_element(&session.context),
        match &session.auth_token_reference {
            Some(t) => format!(
                "<NumerReferencyjnyTokenaKSeF>{}</NumerReferencyjnyTokenaKSeF>",
                escape(t.as_str())
            ),
            None => format!(
                "<SkrotDokumentuUwierzytelniajacego>{}</SkrotDokumentuUwierzytelniajacego>",
                escape(session.auth_document_hash.as_str())
            ),
        },
    );
    if let Some(p) = page {
        let _ = write!(
            out,
            "<OpisPotwierdzenia><Strona>{}</Strona><LiczbaStron>{}</LiczbaStron>\
             <ZakresDokumentowOd>{}</ZakresDokumentowOd><ZakresDokumentowDo>{}</ZakresDokumentowDo>\
             <CalkowitaLiczbaDokumentow>{}</CalkowitaLiczbaDokumentow></OpisPotwierdzenia>",
            p.number, p.pages, p.from, p.to, p.total
        );
    }
    let _ = write!(
        out,
        "<NazwaStrukturyLogicznej>{}</NazwaStrukturyLogicznej><KodFormularza>{}</KodFormularza>",
        escape(structure_name(session).as_str()),
        escape(session.system_code.as_str()),
    );
    for d in docs {
        document(&mut out, d);
    }
    out.push_str("</Potwierdzenie>");
    out.into_bytes()
}

/// The UPO of one successful invoice.
pub fn invoice_upo(receiver: &str, session: &Session, inv: &Invoice) -> Vec<u8> {
    build(receiver, session, &[inv], None)
}

/// The session UPO pages (≤ 10 000 documents each) over the successful invoices.
/// Returns an empty list when no invoice succeeded.
pub fn session_upo_pages(receiver: &str, session: &Session) -> Vec<Vec<u8>> {
    let ok: Vec<&Invoice> = session
        .invoices
        .iter()
        .filter(|i| i.ksef_number.is_some())
        .collect();
    let total = ok.len();
    let pages = total.div_ceil(PAGE_SIZE);
    ok.chunks(PAGE_SIZE)
        .enumerate()
        .map(|(i, chunk)| {
            let from = i * PAGE_SIZE + 1;
            let page = Page {
                number: i + 1,
                pages,
                from,
                to: from + chunk.len() - 1,
                total,
            };
            build(receiver, session, chunk, Some(page))
        })
        .collect()
}
