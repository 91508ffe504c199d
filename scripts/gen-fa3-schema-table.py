#!/usr/bin/env python3
"""Generates `schema.rs` (the FA(3) leaf-facet and structure table) from the official XSD.

Usage: python3 scripts/gen-fa3-schema-table.py ../shared/ksef/schemas > crates/ksef-core/src/validate/schema.rs

Walks `schemat_FA(3)_v1-0E.xsd` + `bazowe/*.xsd` from the root element `Faktura` and emits, for
every element path, its occurrence bounds, its position in the parent's (flattened) content
model and, for simple content, the resolved facets of its type (whitespace, lengths, digits,
ranges, enumerations, patterns). The FA(3) schema has no repeating sequence/choice groups, so
"ordinals never decrease" is a necessary condition for element order.
"""
import sys, os
import xml.etree.ElementTree as ET

X = '{http://www.w3.org/2001/XMLSchema}'
root_dir = sys.argv[1]
files = ['schemat_FA(3)_v1-0E.xsd', 'bazowe/StrukturyDanych_v10-0E.xsd',
         'bazowe/ElementarneTypyDanych_v10-0E.xsd', 'bazowe/KodyKrajow_v10-0E.xsd']
FA = 'http://crd.gov.pl/wzor/2025/06/25/13775/'
ETD = 'http://crd.gov.pl/xml/schematy/dziedzinowe/mf/2022/01/05/eD/DefinicjeTypy/'
simple, complex_ = {}, {}
root_el = None
for f in files:
    t = ET.parse(os.path.join(root_dir, f)).getroot()
    tns = t.get('targetNamespace')
    for ch in t:
        n = ch.get('name')
        if ch.tag == X + 'simpleType':
            simple[(tns, n)] = ch
        elif ch.tag == X + 'complexType':
            complex_[(tns, n)] = (ch, tns)
        elif ch.tag == X + 'element' and n == 'Faktura':
            root_el = ch

def qname(s, ctx_ns):
    p, _, n = s.partition(':')
    return {'xsd': 'xsd', 'tns': FA, 'etd': ETD}[p], n

BUILTIN_WS = {'string': 'preserve', 'normalizedString': 'replace'}

def resolve_simple(node, ctx_ns):
    """Returns a facets dict for a simpleType element (named or anonymous)."""
    f = resolve_simple0(node, ctx_ns)
    return dict(f, name=node.get('name') or f.get('name') or 'anonymous')

def resolve_simple0(node, ctx_ns):
    if node.find(X + 'union') is not None:
        pats = []
        for m in node.find(X + 'union').findall(X + 'simpleType'):
            f = resolve_simple(m, ctx_ns)
            pats.append('|'.join('(%s)' % p for p in f['patterns'][0]))
        return dict(base='string', ws='preserve', patterns=[['|'.join(pats)]], enums=None)
    r = node.find(X + 'restriction')
    bns, bname = qname(r.get('base'), ctx_ns)
    if bns == 'xsd':
        f = dict(base=bname, ws=BUILTIN_WS.get(bname, 'collapse'), patterns=[], enums=None)
    else:
        f = resolve_simple(simple[(bns, bname)], bns)
        f = dict(f, patterns=list(f['patterns']))
    enums, pats = [], []
    for c in r:
        k = c.tag.replace(X, '')
        v = c.get('value')
        if k == 'enumeration': enums.append(v)
        elif k == 'pattern': pats.append(v)
        elif k == 'whiteSpace': f['ws'] = v
        elif k in ('annotation',): pass
        else: f[k] = v
    if enums: f['enums'] = enums
    if pats: f['patterns'].append(pats)
    return f

def type_facets(el, ctx_ns):
    t = el.get('type')
    if t:
        ns, n = qname(t, ctx_ns)
        if ns == 'xsd':
            return dict(base=n, ws=BUILTIN_WS.get(n, 'collapse'), patterns=[], enums=None, name='xsd:' + n)
        if (ns, n) in simple:
            return resolve_simple(simple[(ns, n)], ns)
        return None
    st = el.find(X + 'simpleType')
    if st is not None:
        return resolve_simple(st, ctx_ns)
    return None

nodes = []  # (path, min, max, ord, facets or None, attrs)

def occurs(el):
    mn = int(el.get('minOccurs', '1'))
    mx = el.get('maxOccurs', '1')
    return mn, (0 if mx == 'unbounded' else int(mx))

def content_of(ct, ctx_ns):
    return content_of0(ct, ctx_ns)

choice_rows = {}

def content_of0(ct, ctx_ns):
    """Flattened list of (element, ctx_ns, conditional, alternatives) children in document
    order, plus attributes and simple-content facets. `alternatives` lists the
    (choice id, branch) pairs of the xsd:choice groups enclosing the element."""
    out, attrs, simple_f = [], [], None
    counter = [0]
    req_choices = []  # (choice id, innermost enclosing (choice, branch) or None)
    def walk(n, ns, cond=False, chain=(), cid=None, grp=(0, False)):
        nonlocal simple_f
        branch = -1
        for c in n:
            k = c.tag.replace(X, '')
            if k == 'annotation':
                continue
            branch += 1
            here = chain + ((cid, branch),) if cid is not None else chain
            if k in ('sequence', 'choice', 'all'):
                if c.get('maxOccurs', '1') != '1':
                    raise SystemExit('repeating group not supported')
                sub = None
                if k == 'choice':
                    counter[0] += 1
                    sub = counter[0]
                    inner_opt = c.get('minOccurs', '1') == '0'
                    # Required unless optional itself or under an optional construct that is
                    # not a choice branch (a branch's own requirement is checked via `here`).
                    if not inner_opt and not (cond and not here):
                        req_choices.append((sub, here[-1] if here else None))
                g = grp
                if k == 'sequence' and (c.get('minOccurs', '1') == '0' or cid is not None):
                    # An optional sequence (or a sequence branch of a choice): once one member
                    # is present, its required members are too.
                    counter[0] += 1
                    g = (counter[0], True)
                elif k == 'choice' or c.get('minOccurs', '1') == '0':
                    g = (grp[0], False)
                walk(c, ns, cond or k == 'choice' or c.get('minOccurs', '1') == '0', here, sub, g)
            elif k == 'element':
                req = grp[0] != 0 and grp[1] and c.get('minOccurs', '1') != '0'
                out.append((c, ns, cond, here, (grp[0], req)))
            elif k == 'attribute':
                attrs.append((c, ns))
            elif k == 'complexContent':
                ext = c.find(X + 'extension')
                bns, bn = qname(ext.get('base'), ns)
                bct, bctx = complex_[(bns, bn)]
                walk(bct, bctx, cond, here)
                walk(ext, ns, cond, here)
            elif k == 'simpleContent':
                ext = c.find(X + 'extension')
                bns, bn = qname(ext.get('base'), ns)
                simple_f = resolve_simple(simple[(bns, bn)], bns)
                walk(ext, ns, cond, here)
            else:
                raise SystemExit('unsupported ' + k)
    walk(ct, ctx_ns)
    return out, attrs, simple_f, req_choices

def visit(el, ctx_ns, path, ordinal, cond=False, alt=(), grp=(0, False)):
    mn, mx = occurs(el)
    if cond:
        mn = 0
    f = type_facets(el, ctx_ns)
    if f is not None:
        nodes.append((path, mn, mx, ordinal, f, alt, grp))
        return
    t = el.get('type')
    if t:
        ns, n = qname(t, ctx_ns)
        ct, cns = complex_[(ns, n)]
    else:
        ct, cns = el.find(X + 'complexType'), ctx_ns
    kids, attrs, sf, rc = content_of(ct, cns)
    if rc:
        choice_rows[path] = rc
    nodes.append((path, mn, mx, ordinal, sf, alt, grp))
    for a, ans in attrs:
        af = type_facets(a, ans)
        fixed = a.get('fixed')
        if fixed is not None:
            af = dict(af, enums=[fixed])
        nodes.append((path + '/@' + a.get('name'), 1 if a.get('use') == 'required' else 0, 1, 0, af, (), (0, False)))
    for i, (k, kns, kc, kalt, kgrp) in enumerate(kids):
        visit(k, kns, path + '/' + k.get('name'), i + 1, kc, kalt, kgrp)

visit(root_el, FA, 'Faktura', 0)

def rs(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'

types, type_ids = [], {}
def type_id(f):
    key = repr(sorted((k, repr(v)) for k, v in f.items()))
    if key not in type_ids:
        type_ids[key] = len(types)
        types.append(f)
    return type_ids[key]

rows = []
for path, mn, mx, o, f, alt, grp in nodes:
    rows.append((path, mn, mx, o, None if f is None else type_id(f), alt, grp))
rows.sort(key=lambda r: r[0].encode())

enum_lists = {}
out = []
w = out.append
w('//! FA(3) schema table, generated by `scripts/gen-fa3-schema-table.py` from `schemat_FA(3)_v1-0E.xsd` and')
w('//! `bazowe/*.xsd`: every element path with its occurrence bounds, its position in the')
w('//! parent content model and the resolved facets of its simple type. Do not edit by hand.')
w('')
w('use super::facets::{Base, SimpleType, Ws};')
w('')
w('/// One element (or `@attribute`) path of the schema.')
w('#[derive(Debug)]')
w('pub(crate) struct Node {')
w('    /// `Faktura/Fa/FaWiersz/P_12`.')
w('    pub(crate) path: &\'static str,')
w('    /// `minOccurs`, or 0 when the element sits in a choice or an optional group.')
w('    pub(crate) min: u32,')
w('    /// `maxOccurs` (0 = unbounded).')
w('    pub(crate) max: u32,')
w('    /// 1-based position in the parent\'s flattened content model.')
w('    pub(crate) ord: u16,')
w('    /// Index into [`TYPES`] for simple content.')
w('    pub(crate) ty: Option<u16>,')
w('    /// `(choice, branch)` of each `xsd:choice` of the parent content model enclosing the')
w('    /// element: two siblings with the same choice and different branches exclude each other.')
w('    pub(crate) alt: &\'static [(u8, u8)],')
w('    /// Optional sequence the element belongs to (0 = none) and whether it is required')
w('    /// once any member of that sequence is present (`P_13_3` needs `P_14_3`).')
w('    pub(crate) group: (u8, bool),')
w('}')
w('')
BASES = {'decimal': 'Decimal', 'integer': 'Integer', 'byte': 'Integer', 'int': 'Integer',
         'nonNegativeInteger': 'Integer', 'string': 'Str', 'token': 'Str', 'normalizedString': 'Str',
         'date': 'Date', 'dateTime': 'DateTime', 'gYear': 'Integer'}
w('/// Resolved simple types, referenced by [`Node::ty`].')
w('pub(crate) static TYPES: [SimpleType; %d] = [' % len(types))
for f in types:
    def opt(k):
        v = f.get(k)
        return 'None' if v is None else 'Some(%s)' % (rs(v) if k in ('minInclusive', 'maxInclusive', 'minExclusive') else v)
    enums = f.get('enums')
    pats = f['patterns']
    w('    SimpleType {')
    w('        name: %s,' % rs(f['name']))
    w('        base: Base::%s,' % BASES[f['base']])
    w('        ws: Ws::%s,' % f['ws'].capitalize())
    w('        min_len: %s, max_len: %s, length: %s,' % (opt('minLength'), opt('maxLength'), opt('length')))
    w('        total_digits: %s, fraction_digits: %s,' % (opt('totalDigits'), opt('fractionDigits')))
    w('        min_incl: %s, max_incl: %s, min_excl: %s,' % (opt('minInclusive'), opt('maxInclusive'), opt('minExclusive')))
    w('        enums: %s,' % ('&[]' if not enums else '&[' + ', '.join(rs(e) for e in enums) + ']'))
    w('        patterns: &[%s],' % ', '.join('&[' + ', '.join(rs(p) for p in step) + ']' for step in pats))
    w('    },')
w('];')
w('')
w('/// A required choice: its id and the enclosing `(choice, branch)` it depends on, if any.')
w('pub(crate) type RequiredChoice = (u8, Option<(u8, u8)>);')
w('')
w('/// Required `xsd:choice` groups per element path: `(choice, enclosing (choice, branch))`;')
w('/// a choice nested in a branch is required only when that branch is taken.')
w('pub(crate) static REQUIRED_CHOICES: [(&str, &[RequiredChoice]); %d] = [' % len(choice_rows))
for path in sorted(choice_rows, key=lambda p: p.encode()):
    items = ', '.join('(%d, %s)' % (c, 'None' if e is None else 'Some((%d, %d))' % e) for c, e in choice_rows[path])
    w('    (%s, &[%s]),' % (rs(path), items))
w('];')
w('')
w('/// Every schema path, sorted by bytes for binary search.')
w('pub(crate) static NODES: [Node; %d] = [' % len(rows))
for path, mn, mx, o, t, alt, grp in rows:
    alts = '&[' + ', '.join('(%d, %d)' % a for a in alt) + ']'
    w('    Node { path: %s, min: %d, max: %d, ord: %d, ty: %s, alt: %s, group: (%d, %s) },' % (rs(path), mn, mx, o, 'None' if t is None else 'Some(%d)' % t, alts, grp[0], 'true' if grp[1] else 'false'))
w('];')
print('\n'.join(out))
print(len(rows), 'paths', len(types), 'types', file=sys.stderr)
allp = sorted({p for f in types for s in f['patterns'] for p in s})
for p in allp: print('PATTERN', p, file=sys.stderr)
