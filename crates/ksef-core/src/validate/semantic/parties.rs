//! Parties: NIP / IDWew checksums (KSeF PROD, `weryfikacja-faktury.md`), JST / GV flags and
//! the Podmiot3 roles they require (XSD annotations of `JST`, `GV`, `Rola`, `Udzial`), and
//! the buyer's name (VAT Act art. 106e ust. 1 pkt 3).

use crate::ident::{IdentError, check_internal_id, check_nip, check_nip_pattern};
use crate::validate::rules::{
    BUYER_NAME, GV_ROLE, IDWEW_CHECKSUM, JST_ROLE, NIP_CHECKSUM, UDZIAL_ROLE,
};
use crate::validate::tree::El;
use crate::validate::{Options, Problem, Report, Severity};

use super::Ctx;

pub(super) fn check(ctx: &Ctx<'_>, opts: &Options, report: &mut Report) {
    let root = ctx.root;
    let mut nips: Vec<&El> = Vec::new();
    for who in ["Podmiot1", "Podmiot2"] {
        nips.extend(root.at(&format!("{who}/DaneIdentyfikacyjne/NIP")));
    }
    let p3: Vec<&El> = root.all("Podmiot3").collect();
    nips.extend(p3.iter().filter_map(|p| p.at("DaneIdentyfikacyjne/NIP")));
    nips.extend(root.at("PodmiotUpowazniony/DaneIdentyfikacyjne/NIP"));
    let profile = |p: Problem| {
        if opts.production_rules {
            p
        } else {
            p.with_severity(Severity::Warning)
        }
    };
    for el in nips {
        let nip = el.value();
        if check_nip_pattern(nip).is_err() {
            continue; // FA3-NIP-PATTERN already fired in the structural pass
        }
        if let Err(IdentError::Checksum {
            expected, found, ..
        }) = check_nip(nip)
        {
            report.push(profile(Problem::new(
                &NIP_CHECKSUM,
                el.path.clone(),
                format!(
                    "NIP {nip} ma błędną cyfrę kontrolną ({found}, oczekiwano {expected}); KSeF produkcyjny odrzuci fakturę (środowisko testowe sprawdza tylko format)"
                ),
                format!(
                    "NIP {nip} has a wrong check digit ({found}, expected {expected}); KSeF PROD rejects the invoice (TEST only checks the format)"
                ),
            )));
        }
    }
    for el in p3.iter().filter_map(|p| p.at("DaneIdentyfikacyjne/IDWew")) {
        let id = el.value();
        if let Err(IdentError::Checksum {
            expected, found, ..
        }) = check_internal_id(id)
        {
            report.push(profile(Problem::new(
                &IDWEW_CHECKSUM,
                el.path.clone(),
                format!(
                    "identyfikator wewnętrzny {id} ma błędną cyfrę kontrolną ({found}, oczekiwano {expected}); KSeF produkcyjny odrzuci fakturę"
                ),
                format!(
                    "internal id {id} has a wrong check digit ({found}, expected {expected}); KSeF PROD rejects the invoice"
                ),
            )));
        }
    }
    let role = |p: &&El| p.text_at("Rola").map(str::to_string);
    let roles: Vec<String> = p3.iter().filter_map(role).collect();
    for (flag, wanted, rule, what_pl, what_en) in [
        (
            "JST",
            "8",
            &JST_ROLE,
            "jednostki podrzędnej JST",
            "a subordinate local-government unit",
        ),
        (
            "GV",
            "10",
            &GV_ROLE,
            "członka grupy VAT",
            "a VAT group member",
        ),
    ] {
        let path = format!("Podmiot2/{flag}");
        let set = root.flag(&path);
        let has_role = roles.iter().any(|r| r == wanted);
        if set && !has_role {
            report.push(Problem::new(
                rule,
                root.path_of(&path),
                format!(
                    "{flag}=1 (faktura dotyczy {what_pl}), ale brak Podmiot3 z Rola {wanted}; dodaj Podmiot3 z NIP lub IDWew jednostki i Rola {wanted}"
                ),
                format!(
                    "{flag}=1 (the invoice concerns {what_en}) but there is no Podmiot3 with Rola {wanted}; add a Podmiot3 with the unit's NIP or IDWew and Rola {wanted}"
                ),
            ));
        }
        if !set && has_role && root.at(&path).is_some() {
            report.push(
                Problem::new(
                    rule,
                    root.path_of(&path),
                    format!(
                        "Podmiot3 ma Rola {wanted}, a {flag}={}; oczekiwano {flag}=1",
                        root.text_at(&path).unwrap_or("")
                    ),
                    format!(
                        "a Podmiot3 has Rola {wanted} but {flag}={}; expected {flag}=1",
                        root.text_at(&path).unwrap_or("")
                    ),
                )
                .with_severity(Severity::Warning),
            );
        }
    }
    for p in &p3 {
        if let Some(u) = p.at("Udzial") {
            let r = p.text_at("Rola").unwrap_or("(brak)");
            if r != "4" {
                report.push(Problem::new(
                    &UDZIAL_ROLE,
                    u.path.clone(),
                    format!("Udzial podany dla podmiotu z Rola {r}; udział dotyczy tylko dodatkowego nabywcy (Rola 4)"),
                    format!("Udzial given for a party with Rola {r}; a share applies only to an additional buyer (Rola 4)"),
                ));
            }
        }
    }
    if ctx.kind != "UPR"
        && let Some(id) = root.at("Podmiot2/DaneIdentyfikacyjne")
        && id.child("Nazwa").is_none()
    {
        report.push(Problem::new(
            &BUYER_NAME,
            format!("{}/Nazwa", id.path),
            format!("brak nazwy nabywcy na fakturze {}; nazwę można pominąć tylko na fakturze uproszczonej (UPR)", ctx.kind),
            format!("the buyer has no Nazwa on a {} invoice; only a simplified invoice (UPR) may omit it", ctx.kind),
        ));
    }
}
