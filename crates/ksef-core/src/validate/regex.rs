//! A tiny matcher for the XSD `pattern` facets used by FA(3).
//!
//! XML Schema patterns are implicitly anchored at both ends (XSD 1.0 Part 2, Appendix F).
//! The subset implemented is exactly what `schemat_FA(3)_v1-0E.xsd` and `bazowe/*.xsd` use:
//! literals, `.`, `\d`, `\s`, escaped metacharacters, `[...]` / `[^...]` classes with ranges,
//! groups, `|`, and the quantifiers `?`, `*`, `+`, `{n}`, `{n,m}`. The engine backtracks;
//! FA(3) values are short, so this is fast enough (see `benches/validate.rs`).

/// One parsed pattern node.
#[derive(Debug, Clone)]
enum Node {
    /// A single character test.
    Char(Class),
    /// A sequence of alternatives, each a sequence of quantified nodes.
    Group(Vec<Vec<Quant>>),
}

#[derive(Debug, Clone)]
struct Quant {
    node: Node,
    min: u32,
    max: Option<u32>,
}

#[derive(Debug, Clone)]
struct Class {
    negated: bool,
    items: Vec<ClassItem>,
}

#[derive(Debug, Clone)]
enum ClassItem {
    Range(char, char),
    Digit,
    Space,
    /// `.`: any character but `\n` and `\r`.
    Any,
}

impl Class {
    fn matches(&self, c: char) -> bool {
        let hit = self.items.iter().any(|i| match *i {
            ClassItem::Range(a, b) => (a..=b).contains(&c),
            ClassItem::Digit => c.is_ascii_digit(),
            ClassItem::Space => matches!(c, ' ' | '\t' | '\n' | '\r'),
            ClassItem::Any => c != '\n' && c != '\r',
        });
        hit != self.negated
    }
}

struct Parser<'a> {
    s: &'a [char],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.s.get(self.i).copied()
    }

    fn alternatives(&mut self) -> Option<Vec<Vec<Quant>>> {
        let mut alts = vec![self.sequence()?];
        while self.peek() == Some('|') {
            self.i += 1;
            alts.push(self.sequence()?);
        }
        Some(alts)
    }

    fn sequence(&mut self) -> Option<Vec<Quant>> {
        let mut seq = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let node = self.atom()?;
            let (min, max) = self.quantifier()?;
            seq.push(Quant { node, min, max });
        }
        Some(seq)
    }

    fn atom(&mut self) -> Option<Node> {
        let c = self.peek()?;
        self.i += 1;
        Some(match c {
            '(' => {
                let alts = self.alternatives()?;
                if self.peek() != Some(')') {
                    return None;
                }
                self.i += 1;
                Node::Group(alts)
            }
            '[' => Node::Char(self.class()?),
            '.' => Node::Char(Class {
                negated: false,
                items: vec![ClassItem::Any],
            }),
            '\\' => Node::Char(Class {
                negated: false,
                items: vec![self.escape()?],
            }),
            c => Node::Char(Class {
                negated: false,
                items: vec![ClassItem::Range(c, c)],
            }),
        })
    }

    fn escape(&mut self) -> Option<ClassItem> {
        let c = self.peek()?;
        self.i += 1;
        Some(match c {
            'd' => ClassItem::Digit,
            's' => ClassItem::Space,
            'n' => ClassItem::Range('\n', '\n'),
            't' => ClassItem::Range('\t', '\t'),
            c => ClassItem::Range(c, c),
        })
    }

    fn class(&mut self) -> Option<Class> {
        let negated = self.peek() == Some('^');
        if negated {
            self.i += 1;
        }
        let mut items = Vec::new();
        loop {
            let c = self.peek()?;
            self.i += 1;
            match c {
                ']' => break,
                '\\' => items.push(self.escape()?),
                c => {
                    if self.peek() == Some('-') && self.s.get(self.i + 1).is_some_and(|&n| n != ']')
                    {
                        let hi = *self.s.get(self.i + 1)?;
                        self.i += 2;
                        items.push(ClassItem::Range(c, hi));
                    } else {
                        items.push(ClassItem::Range(c, c));
                    }
                }
            }
        }
        Some(Class { negated, items })
    }

    fn number(&mut self) -> Option<u32> {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        self.s[start..self.i]
            .iter()
            .collect::<String>()
            .parse()
            .ok()
    }

    fn quantifier(&mut self) -> Option<(u32, Option<u32>)> {
        Some(match self.peek() {
            Some('?') => {
                self.i += 1;
                (0, Some(1))
            }
            Some('*') => {
                self.i += 1;
                (0, None)
            }
            Some('+') => {
                self.i += 1;
                (1, None)
            }
            Some('{') => {
                self.i += 1;
                let min = self.number()?;
                let max = if self.peek() == Some(',') {
                    self.i += 1;
                    if self.peek() == Some('}') {
                        None
                    } else {
                        Some(self.number()?)
                    }
                } else {
                    Some(min)
                };
                if self.peek() != Some('}') {
                    return None;
                }
                self.i += 1;
                (min, max)
            }
            _ => (1, Some(1)),
        })
    }
}

/// Matches `seq[k..]` followed by the continuation `rest` at position `pos`.
fn match_seq(seq: &[Quant], s: &[char], pos: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
    let Some((first, tail)) = seq.split_first() else {
        return k(pos);
    };
    match_quant(first, 0, s, pos, &mut |p| match_seq(tail, s, p, k))
}

fn match_quant(
    q: &Quant,
    count: u32,
    s: &[char],
    pos: usize,
    k: &mut dyn FnMut(usize) -> bool,
) -> bool {
    // Greedy: try one more repetition first, then stop if the minimum is met.
    let can_more = q.max.is_none_or(|m| count < m);
    if can_more
        && match_node(&q.node, s, pos, &mut |p| {
            // Guard against empty repetitions looping forever.
            p != pos && match_quant(q, count + 1, s, p, k)
        })
    {
        return true;
    }
    count >= q.min && k(pos)
}

fn match_node(n: &Node, s: &[char], pos: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
    match n {
        Node::Char(c) => s.get(pos).is_some_and(|&ch| c.matches(ch)) && k(pos + 1),
        Node::Group(alts) => alts.iter().any(|alt| match_seq(alt, s, pos, k)),
    }
}

/// A compiled XSD pattern.
#[derive(Debug, Clone)]
pub(crate) struct Pattern(Vec<Vec<Quant>>);

impl Pattern {
    /// Compiles `src`; `None` if it uses syntax outside the supported subset.
    pub(crate) fn new(src: &str) -> Option<Self> {
        let chars: Vec<char> = src.chars().collect();
        let mut p = Parser { s: &chars, i: 0 };
        let alts = p.alternatives()?;
        (p.i == chars.len()).then_some(Pattern(alts))
    }

    /// Whether the whole of `value` matches (XSD patterns are anchored).
    pub(crate) fn is_match(&self, value: &str) -> bool {
        let s: Vec<char> = value.chars().collect();
        let n = s.len();
        self.0
            .iter()
            .any(|alt| match_seq(alt, &s, 0, &mut |p| p == n))
    }
}

#[cfg(test)]
mod tests {
    use super::Pattern;

    fn m(p: &str, v: &str) -> bool {
        Pattern::new(p).unwrap().is_match(v)
    }

    #[test]
    fn amounts() {
        let p = r"-?([1-9]\d{0,15}|0)(\.\d{1,2})?";
        for ok in [
            "0",
            "1",
            "-1",
            "2051",
            "2051.0",
            "2051.00",
            "-162.6",
            "9999999999999999",
        ] {
            assert!(m(p, ok), "{ok}");
        }
        for bad in [
            "",
            "01",
            "2051.005",
            "1.",
            ".5",
            "+1",
            "1e3",
            "1,00",
            "-",
            "-0.",
            "10000000000000000",
        ] {
            assert!(!m(p, bad), "{bad}");
        }
    }

    #[test]
    fn identifiers() {
        let nip = r"[1-9]((\d[1-9])|([1-9]\d))\d{7}";
        assert!(m(nip, "5265877635"));
        assert!(!m(nip, "1001234567"));
        assert!(!m(nip, "526587763"));
        let swift = r"[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3}){0,1}";
        assert!(m(swift, "BPKOPLPW"));
        assert!(m(swift, "BPKOPLPWXXX"));
        assert!(!m(swift, "BPKOPLPWXX"));
        assert!(m(r"(.)+@(.)+", "a@b"));
        assert!(!m(r"(.)+@(.)+", "@b"));
        assert!(m(r"(\d|[A-Z]|\+|\*){1,12}", "123456789B01"));
        assert!(!m(r"(\d|[A-Z]|\+|\*){1,12}", "de123"));
        assert!(m(r"(\d{9})|(\d{14})", "123456789"));
        assert!(!m(r"(\d{9})|(\d{14})", "1234567890"));
        assert!(m(r"/[^\s?#]*", "/a/b"));
        assert!(!m(r"/[^\s?#]*", "/a b"));
    }
}
