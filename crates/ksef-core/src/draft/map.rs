//! Checked draft + computed amounts → the FA(3) model (`fa3::Faktura`), element by element.
//!
//! Spec: `shared/ksef/FA3.md` §3 (`Naglowek`), §4–§5 (`Podmiot1`, `Podmiot2` with
//! `JST`/`GV`), §7 (`Fa` order and per-kind amounts), §7.1 (`Adnotacje` with "no" defaults),
//! §7.2 (`DaneFaKorygowanej`, `StanPrzed` before/after rows as in MF02, `P_15ZK`), §7.3
//! (`FaWiersz`), §7.4 (`Platnosc`), §10 (`KursWaluty`, `KursWalutyZ`, `P_14_xW`).

use rust_decimal::Decimal;

use super::calc::{BucketTotal, Pricing};
use super::check::{BuyerId, CLine, Checked};
use super::compute::{Computation, LineValue};
use super::input::{self, InvoiceDraft};
use super::kind::Kind;
use super::rate::{Bucket, VatRate};
use crate::fa3::{
    self, Adnotacje, DaneFaKorygowanej, DaneKontaktowe, DanePodmiotu1, DanePodmiotu2, DataDostawy,
    DateTime, Fa, FaWiersz, Faktura, FakturaZaliczkowa, FakturaZaliczkowaPozaKsef, FormaPlatnosci,
    FormaPlatnosciWybor, IdInny, IdPodmiotu2, IdVatUE, Informacje, KluczWartosc, KodFormularza,
    Korekta, KorygowanaWKsef, KwotaPrzedKorekta, Naglowek, NoweSrodkiTransportu, NrKsefKorygowanej,
    OkresFa, PMarzy, Platnosc, Podmiot1, Podmiot2, PodstawaZwolnienia, RachunekBankowy,
    RodzajFaktury, StatusZaplaty, StawkaObnizona1, StawkaObnizona2, StawkaPodatku,
    StawkaPodstawowa, StawkaRyczalt, Stopka, TerminPlatnosci, TypKorekty, WariantFormularza,
    Wybor1, Wybor12, Zamowienie, ZamowienieWiersz, Zaplacono, Zwolnienie, ZwolnienieTak,
};

/// Everything the mapping reads.
pub(crate) struct Parts<'a> {
    pub(crate) draft: &'a InvoiceDraft,
    pub(crate) checked: &'a Checked,
    pub(crate) computed: &'a Computation,
    pub(crate) created_at: DateTime,
    pub(crate) currency: fa3::KodWaluty,
}

fn yes_no(b: bool) -> Wybor12 {
    if b { Wybor12::Tak } else { Wybor12::Nie }
}

fn date(d: time::Date) -> fa3::Date {
    fa3::Date::from(d)
}

pub(crate) fn stawka(r: VatRate) -> StawkaPodatku {
    match r {
        VatRate::R23 => StawkaPodatku::S23,
        VatRate::R22 => StawkaPodatku::S22,
        VatRate::R8 => StawkaPodatku::S8,
        VatRate::R7 => StawkaPodatku::S7,
        VatRate::R5 => StawkaPodatku::S5,
        VatRate::R4 => StawkaPodatku::S4,
        VatRate::R3 => StawkaPodatku::S3,
        VatRate::ZeroKr => StawkaPodatku::ZeroKr,
        VatRate::ZeroWdt => StawkaPodatku::ZeroWdt,
        VatRate::ZeroEx => StawkaPodatku::ZeroEx,
        VatRate::Exempt => StawkaPodatku::Zw,
        VatRate::ReverseCharge => StawkaPodatku::Oo,
        VatRate::NpI => StawkaPodatku::NpI,
        VatRate::NpII => StawkaPodatku::NpII,
    }
}

/// Builds the invoice. Code lists were checked before, so lookups cannot fail here.
pub(crate) fn faktura(p: &Parts<'_>) -> Faktura {
    let d = p.draft;
    Faktura {
        naglowek: Naglowek {
            kod_formularza: KodFormularza::fa3(),
            wariant_formularza: WariantFormularza::Fa3,
            data_wytworzenia_fa: p.created_at.clone(),
            system_info: d.system_info.clone(),
        },
        podmiot1: podmiot1(p),
        podmiot2: podmiot2(p),
        podmiot3: Vec::new(),
        podmiot_upowazniony: None,
        fa: fa(p),
        stopka: d.footer.as_ref().map(|f| Stopka {
            informacje: vec![Informacje {
                stopka_faktury: Some(f.clone()),
            }],
            rejestry: Vec::new(),
        }),
        zalacznik: None,
    }
}

fn address(a: &input::Address) -> fa3::Adres {
    fa3::Adres {
        kod_kraju: a
            .country
            .as_deref()
            .unwrap_or("PL")
            .parse()
            .unwrap_or(fa3::KodKraju::PL),
        adres_l1: a.lines.first().cloned().unwrap_or_default(),
        adres_l2: a.lines.get(1).cloned(),
        gln: None,
    }
}

fn contact(email: &Option<String>, phone: &Option<String>) -> Vec<DaneKontaktowe> {
    if email.is_none() && phone.is_none() {
        return Vec::new();
    }
    vec![DaneKontaktowe {
        email: email.clone(),
        telefon: phone.clone(),
    }]
}

fn all_rates<'a>(ch: &'a Checked) -> impl Iterator<Item = VatRate> + 'a {
    ch.lines.iter().map(|l| l.rate).chain(
        ch.pairs
            .iter()
            .flat_map(|(b, a)| b.iter().chain(std::iter::once(a)).map(|l| l.rate)),
    )
}

fn podmiot1(p: &Parts<'_>) -> Podmiot1 {
    let s = &p.draft.seller;
    let eu = matches!(p.checked.buyer_id, BuyerId::EuVat { .. })
        || all_rates(p.checked).any(|r| r == VatRate::ZeroWdt);
    Podmiot1 {
        prefiks_podatnika: eu.then_some(fa3::KodyKrajowUE::PL),
        nr_eori: None,
        dane_identyfikacyjne: DanePodmiotu1 {
            nip: s.nip.clone(),
            nazwa: s.name.clone(),
        },
        adres: address(&s.address),
        adres_koresp: None,
        dane_kontaktowe: contact(&s.email, &s.phone),
        status_info_podatnika: None,
    }
}

fn podmiot2(p: &Parts<'_>) -> Podmiot2 {
    let b = &p.draft.buyer;
    let id = match &p.checked.buyer_id {
        BuyerId::Nip(n) => IdPodmiotu2::Nip { nip: n.clone() },
        BuyerId::EuVat { prefix, number } => IdPodmiotu2::VatUE(IdVatUE {
            kod_ue: prefix.parse().unwrap_or(fa3::KodyKrajowUE::DE),
            nr_vat_ue: number.clone(),
        }),
        BuyerId::Other { country, id } => IdPodmiotu2::Inny(IdInny {
            kod_kraju: country.as_deref().and_then(|c| c.parse().ok()),
            nr_id: id.clone(),
        }),
        BuyerId::None => IdPodmiotu2::BrakId {
            brak_id: Wybor1::Tak,
        },
    };
    Podmiot2 {
        nr_eori: None,
        dane_identyfikacyjne: DanePodmiotu2 {
            id,
            nazwa: b.name.clone(),
        },
        adres: b.address.as_ref().map(address),
        adres_koresp: None,
        dane_kontaktowe: contact(&b.email, &b.phone),
        nr_klienta: b.customer_number.clone(),
        id_nabywcy: None,
        jst: Wybor12::Nie,
        gv: Wybor12::Nie,
    }
}

fn bucket(bs: &[BucketTotal], b: Bucket) -> Option<&BucketTotal> {
    bs.iter().find(|x| x.bucket == b)
}

fn net(bs: &[BucketTotal], b: Bucket) -> Option<Decimal> {
    bucket(bs, b).map(|x| x.net)
}

fn fa(p: &Parts<'_>) -> Fa {
    let (d, ch, c) = (p.draft, p.checked, p.computed);
    let bs = &c.buckets;
    let foreign = ch.exchange_rate;
    let advance_kind = matches!(ch.kind, Kind::Zal | Kind::KorZal);
    let line_kind = matches!(ch.kind, Kind::Vat | Kind::Upr | Kind::Roz);
    let pair_lines = matches!(ch.kind, Kind::Kor | Kind::KorRoz);

    let mut fa_wiersz = Vec::new();
    if line_kind {
        for (i, ((l, cl), v)) in d.lines.iter().zip(&ch.lines).zip(&c.lines).enumerate() {
            fa_wiersz.push(line(i + 1, l, cl, v, c.pricing, foreign, false));
        }
    }
    if pair_lines {
        push_pairs(p, &mut fa_wiersz);
    }

    Fa {
        kod_waluty: p.currency,
        p_1: date(ch.issue_date),
        p_1m: d.place_of_issue.clone(),
        p_2: d.invoice_number.clone(),
        wz: Vec::new(),
        data_dostawy: match (ch.sale_date, ch.sale_period) {
            (Some(s), _) => Some(DataDostawy::P6 { p_6: date(s) }),
            (None, Some((from, to))) => Some(DataDostawy::Okres {
                okres_fa: OkresFa {
                    p_6_od: date(from),
                    p_6_do: date(to),
                },
            }),
            (None, None) => None,
        },
        stawka_podstawowa: bucket(bs, Bucket::Basic).map(|b| StawkaPodstawowa {
            p_13_1: b.net,
            p_14_1: b.tax,
            p_14_1w: b.tax_pln,
        }),
        stawka_obnizona1: bucket(bs, Bucket::Reduced1).map(|b| StawkaObnizona1 {
            p_13_2: b.net,
            p_14_2: b.tax,
            p_14_2w: b.tax_pln,
        }),
        stawka_obnizona2: bucket(bs, Bucket::Reduced2).map(|b| StawkaObnizona2 {
            p_13_3: b.net,
            p_14_3: b.tax,
            p_14_3w: b.tax_pln,
        }),
        stawka_ryczalt: bucket(bs, Bucket::FlatRate).map(|b| StawkaRyczalt {
            p_13_4: b.net,
            p_14_4: b.tax,
            p_14_4w: b.tax_pln,
        }),
        procedura_oss: None,
        p_13_6_1: net(bs, Bucket::ZeroDomestic),
        p_13_6_2: net(bs, Bucket::ZeroWdt),
        p_13_6_3: net(bs, Bucket::ZeroExport),
        p_13_7: net(bs, Bucket::Exempt),
        p_13_8: net(bs, Bucket::NotTaxableI),
        p_13_9: net(bs, Bucket::NotTaxableII),
        p_13_10: net(bs, Bucket::ReverseCharge),
        p_13_11: None,
        p_15: c.total,
        kurs_waluty_z: if advance_kind { foreign } else { None },
        adnotacje: adnotacje(p),
        rodzaj_faktury: match ch.kind {
            Kind::Vat => RodzajFaktury::Vat,
            Kind::Kor => RodzajFaktury::Kor,
            Kind::Zal => RodzajFaktury::Zal,
            Kind::Roz => RodzajFaktury::Roz,
            Kind::Upr => RodzajFaktury::Upr,
            Kind::KorZal => RodzajFaktury::KorZal,
            Kind::KorRoz => RodzajFaktury::KorRoz,
        },
        korekta: korekta(p),
        zaliczka_czesciowa: Vec::new(),
        fp: None,
        tp: None,
        dodatkowy_opis: notes(p),
        faktura_zaliczkowa: d
            .settlement
            .iter()
            .flat_map(|s| &s.advances)
            .map(|a| match &a.ksef_number {
                Some(k) => FakturaZaliczkowa::WKsef {
                    nr_ksef_fa_zaliczkowej: k.clone(),
                },
                None => FakturaZaliczkowa::PozaKsef(FakturaZaliczkowaPozaKsef {
                    nr_ksef_zn: Wybor1::Tak,
                    nr_fa_zaliczkowej: a.invoice_number.clone(),
                }),
            })
            .collect(),
        zwrot_akcyzy: None,
        fa_wiersz,
        rozliczenie: None,
        platnosc: platnosc(p),
        warunki_transakcji: None,
        zamowienie: if advance_kind { zamowienie(p) } else { None },
    }
}

fn line(
    nr: usize,
    l: &input::Line,
    cl: &CLine,
    v: &LineValue,
    pricing: Pricing,
    rate: Option<Decimal>,
    before: bool,
) -> FaWiersz {
    let net = pricing == Pricing::Net;
    FaWiersz {
        nr_wiersza_fa: nr as u64,
        uu_id: l.uuid.clone(),
        p_6a: cl.delivery_date.map(date),
        p_7: Some(l.name.clone()),
        indeks: l.index.clone(),
        gtin: None,
        pkwiu: l.pkwiu.clone(),
        cn: l.cn.clone(),
        pkob: None,
        p_8a: l.unit.clone(),
        p_8b: Some(cl.quantity),
        p_9a: net.then_some(cl.unit_price),
        p_9b: (!net).then_some(cl.unit_price),
        p_10: (!cl.discount.is_zero()).then_some(cl.discount),
        p_11: net.then_some(v.value),
        p_11a: (!net).then_some(v.value),
        p_11vat: None,
        p_12: Some(stawka(cl.rate)),
        p_12_xii: None,
        p_12_zal_15: None,
        kwota_akcyzy: None,
        gtu: l.gtu.as_deref().and_then(|g| g.parse().ok()),
        procedura: None,
        kurs_waluty: rate,
        stan_przed: before.then_some(Wybor1::Tak),
    }
}

/// KOR / KOR_ROZ rows: the before row (`StanPrzed=1`) then the after row, same number (MF02).
fn push_pairs(p: &Parts<'_>, out: &mut Vec<FaWiersz>) {
    let (ch, c) = (p.checked, p.computed);
    let Some(k) = &p.draft.correction else {
        return;
    };
    for (i, ((pair, (cb, ca)), (vb, va))) in k.lines.iter().zip(&ch.pairs).zip(&c.pairs).enumerate()
    {
        if let (Some(b), Some(cb), Some(vb)) = (&pair.before, cb, vb) {
            out.push(line(i + 1, b, cb, vb, c.pricing, ch.exchange_rate, true));
        }
        out.push(line(
            i + 1,
            &pair.after,
            ca,
            va,
            c.pricing,
            ch.exchange_rate,
            false,
        ));
    }
}

fn order_row(
    nr: usize,
    l: &input::Line,
    cl: &CLine,
    v: &LineValue,
    pricing: Pricing,
    before: bool,
) -> ZamowienieWiersz {
    ZamowienieWiersz {
        nr_wiersza_zam: nr as u64,
        uu_idz: l.uuid.clone(),
        p_7z: Some(l.name.clone()),
        indeks_z: l.index.clone(),
        gtin_z: None,
        pkwiu_z: l.pkwiu.clone(),
        cn_z: l.cn.clone(),
        pkob_z: None,
        p_8az: l.unit.clone(),
        p_8bz: Some(cl.quantity),
        // `ZamowienieWiersz` has no gross unit price: gross-priced orders show values only.
        p_9az: (pricing == Pricing::Net).then_some(cl.unit_price),
        p_11netto_z: Some(v.net),
        p_11vat_z: Some(v.tax),
        p_12z: Some(stawka(cl.rate)),
        p_12z_xii: None,
        p_12z_zal_15: None,
        gtu_z: l.gtu.as_deref().and_then(|g| g.parse().ok()),
        procedura_z: None,
        kwota_akcyzy_z: None,
        stan_przed_z: before.then_some(Wybor1::Tak),
    }
}

/// ZAL: the order lines; KOR_ZAL: before/after order rows (`StanPrzedZ=1`, MF11/MF12).
fn zamowienie(p: &Parts<'_>) -> Option<Zamowienie> {
    let (d, ch, c) = (p.draft, p.checked, p.computed);
    let mut rows = Vec::new();
    if ch.kind == Kind::Zal {
        for (i, ((l, cl), v)) in d.lines.iter().zip(&ch.lines).zip(&c.lines).enumerate() {
            rows.push(order_row(i + 1, l, cl, v, c.pricing, false));
        }
    } else if let Some(k) = &d.correction {
        for (i, ((pair, (cb, ca)), (vb, va))) in
            k.lines.iter().zip(&ch.pairs).zip(&c.pairs).enumerate()
        {
            if let (Some(b), Some(cb), Some(vb)) = (&pair.before, cb, vb) {
                rows.push(order_row(i + 1, b, cb, vb, c.pricing, true));
            }
            rows.push(order_row(i + 1, &pair.after, ca, va, c.pricing, false));
        }
    }
    if rows.is_empty() {
        return None;
    }
    Some(Zamowienie {
        wartosc_zamowienia: c.order_total.unwrap_or_default(),
        zamowienie_wiersz: rows,
    })
}

fn adnotacje(p: &Parts<'_>) -> Adnotacje {
    let a = &p.draft.annotations;
    let oo = all_rates(p.checked).any(|r| r == VatRate::ReverseCharge);
    Adnotacje {
        p_16: yes_no(a.cash_accounting),
        p_17: yes_no(a.self_billing),
        p_18: yes_no(a.reverse_charge || oo),
        p_18a: yes_no(a.split_payment),
        zwolnienie: match &a.exemption {
            Some(e) => Zwolnienie::Tak(ZwolnienieTak {
                p_19: Wybor1::Tak,
                podstawa: match e.basis.as_str() {
                    "statute" => PodstawaZwolnienia::P19A {
                        p_19a: e.text.clone(),
                    },
                    "directive" => PodstawaZwolnienia::P19B {
                        p_19b: e.text.clone(),
                    },
                    _ => PodstawaZwolnienia::P19C {
                        p_19c: e.text.clone(),
                    },
                },
            }),
            None => Zwolnienie::Nie { p_19n: Wybor1::Tak },
        },
        nowe_srodki_transportu: NoweSrodkiTransportu::Nie { p_22n: Wybor1::Tak },
        p_23: Wybor12::Nie,
        p_marzy: PMarzy::Nie {
            p_pmarzy_n: Wybor1::Tak,
        },
    }
}

fn korekta(p: &Parts<'_>) -> Option<Korekta> {
    let k = p.draft.correction.as_ref()?;
    if !p.checked.kind.is_correction() {
        return None;
    }
    Some(Korekta {
        przyczyna_korekty: k.reason.clone(),
        typ_korekty: k.r#type.and_then(|t| match t {
            1 => Some(TypKorekty::DataPierwotnej),
            2 => Some(TypKorekty::DataKorekty),
            3 => Some(TypKorekty::Inna),
            _ => None,
        }),
        dane_fa_korygowanej: k
            .corrected
            .iter()
            .zip(&p.checked.corrected)
            .map(|(r, cr)| DaneFaKorygowanej {
                data_wyst_fa_korygowanej: cr.issue_date.map(date).unwrap_or_else(|| {
                    date(p.checked.issue_date) // unreachable: checked as required
                }),
                nr_fa_korygowanej: r.invoice_number.clone(),
                nr_ksef: match &cr.ksef {
                    Some(n) => NrKsefKorygowanej::WKsef(KorygowanaWKsef {
                        nr_ksef: Wybor1::Tak,
                        nr_ksef_fa_korygowanej: n.as_str().to_owned(),
                    }),
                    None => NrKsefKorygowanej::PozaKsef {
                        nr_ksef_n: Wybor1::Tak,
                    },
                },
            })
            .collect(),
        okres_fa_korygowanej: None,
        nr_fa_korygowany: None,
        podmiot1k: None,
        podmiot2k: Vec::new(),
        kwota_przed_korekta: p.computed.total_before.map(|t| KwotaPrzedKorekta {
            p_15zk: t,
            kurs_waluty_zk: None,
        }),
    })
}

fn notes(p: &Parts<'_>) -> Vec<KluczWartosc> {
    let d = p.draft;
    let mut out: Vec<KluczWartosc> = d
        .notes
        .iter()
        .map(|n| KluczWartosc {
            nr_wiersza: None,
            klucz: n.key.clone().unwrap_or_else(|| "uwagi".to_owned()),
            wartosc: n.value.clone(),
        })
        .collect();
    if let (Some(rate), Some(day)) = (p.checked.exchange_rate, p.checked.rate_date) {
        out.push(KluczWartosc {
            nr_wiersza: None,
            klucz: "kurs waluty".to_owned(),
            wartosc: format!(
                "1 {} = {rate} PLN, kurs z dnia {day}",
                d.currency.as_deref().unwrap_or("PLN")
            ),
        });
    }
    out
}

fn account(b: &input::BankAccount) -> RachunekBankowy {
    RachunekBankowy {
        nr_rb: b.number.chars().filter(|c| !c.is_whitespace()).collect(),
        swift: b.swift.clone(),
        rachunek_wlasny_banku: None,
        nazwa_banku: b.bank_name.clone(),
        opis_rachunku: None,
    }
}

fn platnosc(p: &Parts<'_>) -> Option<Platnosc> {
    let (d, ch) = (p.draft, p.checked);
    let pay = d.payment.as_ref();
    let method = ch.payment_method.map(|m| match m {
        1 => FormaPlatnosci::Gotowka,
        2 => FormaPlatnosci::Karta,
        3 => FormaPlatnosci::Bon,
        4 => FormaPlatnosci::Czek,
        5 => FormaPlatnosci::Kredyt,
        7 => FormaPlatnosci::Mobilna,
        _ => FormaPlatnosci::Przelew,
    });
    let own = pay.and_then(|p| p.bank_account.as_ref());
    let seller_default = match method {
        None | Some(FormaPlatnosci::Przelew) => d.seller.bank_account.as_ref(),
        _ => None,
    };
    let accounts: Vec<RachunekBankowy> = own.or(seller_default).map(account).into_iter().collect();
    let status = ch.paid_date.map(|day| {
        StatusZaplaty::Zaplacono(Zaplacono {
            zaplacono: Wybor1::Tak,
            data_zaplaty: date(day),
        })
    });
    if pay.is_none() && accounts.is_empty() {
        return None;
    }
    Some(Platnosc {
        status,
        termin_platnosci: ch
            .due_date
            .map(|t| TerminPlatnosci {
                termin: Some(date(t)),
                termin_opis: None,
            })
            .into_iter()
            .collect(),
        forma: method.map(|m| FormaPlatnosciWybor::Forma { forma_platnosci: m }),
        rachunek_bankowy: accounts,
        rachunek_bankowy_faktora: Vec::new(),
        skonto: None,
        link_do_platnosci: None,
        ipksef: None,
    })
}
