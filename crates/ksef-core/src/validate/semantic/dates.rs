//! Dates: `P_1` not after today (KSeF, `weryfikacja-faktury.md` "Walidacja dat"), the billing
//! period order (`OkresFa`), and payment due dates not before the issue date.

use crate::validate::facets::is_date;
use crate::validate::rules::{DATE_DUE, DATE_FUTURE, DATE_ISSUE, DATE_PERIOD};
use crate::validate::{Options, Problem, Report};

use super::Ctx;

/// A valid `YYYY-MM-DD` (lexical order is then date order).
pub(super) fn is_valid(s: &str) -> bool {
    is_date(s)
}

fn iso(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

pub(super) fn check(ctx: &Ctx<'_>, opts: &Options, report: &mut Report) {
    let fa = ctx.fa;
    let p1 = fa.text_at("P_1").filter(|s| is_valid(s));
    if let (Some(p1), Some(today)) = (p1, opts.today) {
        let today = iso(today);
        if p1 > today.as_str() {
            report.push(Problem::new(
                &DATE_FUTURE,
                fa.path_of("P_1"),
                format!("data wystawienia P_1 {p1} jest późniejsza niż dzisiejsza ({today}); KSeF odrzuca faktury z przyszłą datą wystawienia"),
                format!("issue date P_1 {p1} is after today ({today}); KSeF rejects invoices issued in the future"),
            ));
        }
    }
    if let (Some(from), Some(to)) = (fa.text_at("OkresFa/P_6_Od"), fa.text_at("OkresFa/P_6_Do"))
        && is_valid(from)
        && is_valid(to)
        && from > to
    {
        report.push(Problem::new(
            &DATE_PERIOD,
            fa.path_of("OkresFa/P_6_Do"),
            format!("okres rozliczeniowy kończy się ({to}) przed początkiem ({from})"),
            format!("the billing period ends ({to}) before it starts ({from})"),
        ));
    }
    if let Some(p1) = p1
        && ctx.kind == "VAT"
    {
        issue_deadline(ctx, p1, report);
    }
    if let (Some(p1), Some(pay)) = (p1, fa.child("Platnosc")) {
        for t in pay.all("TerminPlatnosci") {
            if let Some(due) = t.child("Termin")
                && is_valid(due.value())
                && due.value() < p1
            {
                report.push(Problem::new(
                    &DATE_DUE,
                    due.path.clone(),
                    format!(
                        "termin płatności {} jest wcześniejszy niż data wystawienia {p1}",
                        due.value()
                    ),
                    format!(
                        "the payment due date {} is before the issue date {p1}",
                        due.value()
                    ),
                ));
            }
        }
    }
}

fn parse(s: &str) -> Option<time::Date> {
    crate::fa3::calendar_date(s, false)
}

/// Art. 106i ust. 1: a VAT invoice by the 15th of the month after delivery; ust. 7: not
/// earlier than 30 days before it (periodic settlements, `OkresFa`, are exempt, ust. 8).
fn issue_deadline(ctx: &Ctx<'_>, p1: &str, report: &mut Report) {
    let fa = ctx.fa;
    let Some(issued) = parse(p1) else {
        return;
    };
    let mut dates: Vec<time::Date> = fa.text_at("P_6").and_then(parse).into_iter().collect();
    dates.extend(
        ctx.lines()
            .filter_map(|l| l.text_at("P_6A"))
            .filter_map(parse),
    );
    let period_end = fa.text_at("OkresFa/P_6_Do").and_then(parse);
    let last = dates.iter().copied().chain(period_end).max();
    if let Some(last) = last {
        let (y, m) = (last.year(), last.month());
        let (ny, nm) = if m == time::Month::December {
            (y + 1, time::Month::January)
        } else {
            (y, m.next())
        };
        if let Ok(deadline) = time::Date::from_calendar_date(ny, nm, 15)
            && issued > deadline
        {
            report.push(Problem::new(
                &DATE_ISSUE,
                fa.path_of("P_1"),
                format!("faktura wystawiona {p1}, a dostawa/usługa {}; termin to 15. dzień następnego miesiąca ({}) (art. 106i ust. 1)", iso(last), iso(deadline)),
                format!("invoice issued {p1} for a supply on {}; the deadline is the 15th of the following month ({}) (VAT Act art. 106i ust. 1)", iso(last), iso(deadline)),
            ));
        }
    }
    if period_end.is_none()
        && let Some(first) = dates.iter().copied().min()
        && issued < first - time::Duration::days(30)
    {
        report.push(Problem::new(
            &DATE_ISSUE,
            fa.path_of("P_1"),
            format!("faktura wystawiona {p1}, ponad 30 dni przed dostawą/usługą {} (art. 106i ust. 7)", iso(first)),
            format!("invoice issued {p1}, more than 30 days before the supply on {} (VAT Act art. 106i ust. 7)", iso(first)),
        ));
    }
}
