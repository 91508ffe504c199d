//! Payment data: bank account numbers (`Platnosc/RachunekBankowy/NrRB`,
//! `RachunekBankowyFaktora/NrRB`) pass the ISO 7064 mod-97 check of a Polish NRB
//! (26 digits, checked as `PL` + NRB) or of an IBAN (country letters first).

use crate::validate::rules::BANK_ACCOUNT;
use crate::validate::{Problem, Report};

use super::Ctx;

/// `Some(valid)` for a Polish NRB or an IBAN, `None` for other formats (not checked).
fn mod97_ok(nr: &str) -> Option<bool> {
    let compact: String = nr.chars().filter(|c| !c.is_whitespace()).collect();
    let iban = if compact.len() == 26 && compact.bytes().all(|b| b.is_ascii_digit()) {
        format!("PL{compact}")
    } else if compact.len() >= 15
        && compact.as_bytes()[..2].iter().all(u8::is_ascii_uppercase)
        && compact.as_bytes()[2..4].iter().all(u8::is_ascii_digit)
        && compact
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        compact
    } else {
        return None;
    };
    let (head, tail) = iban.split_at(4);
    let mut rem: u32 = 0;
    for c in tail.chars().chain(head.chars()) {
        let v = c.to_digit(36)?;
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    Some(rem == 1)
}

pub(super) fn check(ctx: &Ctx<'_>, report: &mut Report) {
    let Some(pay) = ctx.fa.child("Platnosc") else {
        return;
    };
    let accounts = pay
        .all("RachunekBankowy")
        .chain(pay.all("RachunekBankowyFaktora"))
        .filter_map(|r| r.child("NrRB"));
    for nr in accounts {
        if mod97_ok(nr.value()) == Some(false) {
            report.push(Problem::new(
                &BANK_ACCOUNT,
                nr.path.clone(),
                format!("numer rachunku {} ma błędną sumę kontrolną (mod 97); sprawdź, czy nie ma literówki", nr.value()),
                format!("account number {} fails the mod-97 checksum; check it for typos", nr.value()),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::mod97_ok;

    #[test]
    fn nrb_and_iban() {
        assert_eq!(mod97_ok("73111111111111111111111111"), Some(true)); // MF samples
        assert_eq!(mod97_ok("73 1111 1111 1111 1111 1111 1111"), Some(true));
        assert_eq!(mod97_ok("74111111111111111111111111"), Some(false));
        assert_eq!(mod97_ok("DE89370400440532013000"), Some(true));
        assert_eq!(mod97_ok("DE88370400440532013000"), Some(false));
        assert_eq!(mod97_ok("123456789012"), None);
    }
}
