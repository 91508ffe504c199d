//! Small XSD enumerations of FA(3) (`schemat_FA(3)_v1-0E.xsd` simple types and
//! `bazowe/ElementarneTypyDanych` `TWybor1`, `TWybor1_2`). FA3.md §3–§8.

use crate::xml::macros::xsd_enum;

xsd_enum! {
    /// `etd:TWybor1`: a flag whose only value is `1` (e.g. `P_19`, `BrakID`, `StanPrzed`).
    pub enum Wybor1 = "TWybor1" {
        /// `1`: yes / applies.
        Tak = "1",
    }
}

xsd_enum! {
    /// `etd:TWybor1_2`: `1` yes / `2` no (e.g. `P_16`, `P_18A`); also `Podmiot2/JST`, `GV`.
    pub enum Wybor12 = "TWybor1_2" {
        /// `1`: yes.
        Tak = "1",
        /// `2`: no.
        Nie = "2",
    }
}

xsd_enum! {
    /// `KodFormularza` text (`TKodFormularza`): always `FA`.
    pub enum KodFormularzaWartosc = "TKodFormularza" {
        /// `FA`.
        Fa = "FA",
    }
}

xsd_enum! {
    /// `Naglowek/WariantFormularza`: always `3`.
    pub enum WariantFormularza = "WariantFormularza" {
        /// `3`: FA(3).
        Fa3 = "3",
    }
}

xsd_enum! {
    /// `TRodzajFaktury`: the kind of invoice (`Fa/RodzajFaktury`).
    pub enum RodzajFaktury = "TRodzajFaktury" {
        /// `VAT`: basic invoice.
        Vat = "VAT",
        /// `KOR`: correction invoice.
        Kor = "KOR",
        /// `ZAL`: advance-payment invoice.
        Zal = "ZAL",
        /// `ROZ`: settlement invoice (after advances).
        Roz = "ROZ",
        /// `UPR`: simplified invoice (art. 106e ust. 5 pkt 3).
        Upr = "UPR",
        /// `KOR_ZAL`: correction of an advance-payment invoice.
        KorZal = "KOR_ZAL",
        /// `KOR_ROZ`: correction of a settlement invoice.
        KorRoz = "KOR_ROZ",
    }
}

xsd_enum! {
    /// `TStawkaPodatku`: VAT rate code of a line (`FaWiersz/P_12`, `ZamowienieWiersz/P_12Z`).
    pub enum StawkaPodatku = "TStawkaPodatku" {
        /// `23` %.
        S23 = "23",
        /// `22` %.
        S22 = "22",
        /// `8` %.
        S8 = "8",
        /// `7` %.
        S7 = "7",
        /// `5` %.
        S5 = "5",
        /// `4` % (flat-rate taxi).
        S4 = "4",
        /// `3` % (flat-rate taxi).
        S3 = "3",
        /// `0 KR`: 0 % domestic supply (not WDT or export).
        ZeroKr = "0 KR",
        /// `0 WDT`: 0 % intra-community supply of goods.
        ZeroWdt = "0 WDT",
        /// `0 EX`: 0 % export of goods.
        ZeroEx = "0 EX",
        /// `zw`: exempt.
        Zw = "zw",
        /// `oo`: domestic reverse charge.
        Oo = "oo",
        /// `np I`: not taxable in Poland (outside art. 100 ust. 1 pkt 4 and OSS).
        NpI = "np I",
        /// `np II`: not taxable in Poland, art. 100 ust. 1 pkt 4 services.
        NpII = "np II",
    }
}

xsd_enum! {
    /// `TGTU`: goods/services group code (`FaWiersz/GTU`, `ZamowienieWiersz/GTUZ`).
    pub enum Gtu = "TGTU" {
        /// `GTU_01`: alcoholic beverages.
        Gtu01 = "GTU_01",
        /// `GTU_02`: motor fuels.
        Gtu02 = "GTU_02",
        /// `GTU_03`: heating oil and lubricants.
        Gtu03 = "GTU_03",
        /// `GTU_04`: tobacco products.
        Gtu04 = "GTU_04",
        /// `GTU_05`: waste.
        Gtu05 = "GTU_05",
        /// `GTU_06`: electronic devices.
        Gtu06 = "GTU_06",
        /// `GTU_07`: vehicles and parts.
        Gtu07 = "GTU_07",
        /// `GTU_08`: precious metals.
        Gtu08 = "GTU_08",
        /// `GTU_09`: medicines and medical devices.
        Gtu09 = "GTU_09",
        /// `GTU_10`: buildings and land.
        Gtu10 = "GTU_10",
        /// `GTU_11`: greenhouse-gas emission allowance services.
        Gtu11 = "GTU_11",
        /// `GTU_12`: intangible services (consulting, accounting, legal, ...).
        Gtu12 = "GTU_12",
        /// `GTU_13`: transport and warehousing services.
        Gtu13 = "GTU_13",
    }
}

xsd_enum! {
    /// `TOznaczenieProcedury`: procedure marker of a line (`FaWiersz/Procedura`).
    pub enum OznaczenieProcedury = "TOznaczenieProcedury" {
        /// `WSTO_EE`: intra-EU distance sales / electronic services.
        WstoEe = "WSTO_EE",
        /// `IED`: supply by an electronic interface (art. 7a).
        Ied = "IED",
        /// `TT_D`: supply by the second taxpayer in a triangular transaction.
        TtD = "TT_D",
        /// `I_42`: import under customs procedure 42.
        I42 = "I_42",
        /// `I_63`: import under customs procedure 63.
        I63 = "I_63",
        /// `B_SPV`: transfer of a single-purpose voucher.
        BSpv = "B_SPV",
        /// `B_SPV_DOSTAWA`: supply covered by a single-purpose voucher.
        BSpvDostawa = "B_SPV_DOSTAWA",
        /// `B_MPV_PROWIZJA`: brokerage of multi-purpose vouchers.
        BMpvProwizja = "B_MPV_PROWIZJA",
    }
}

xsd_enum! {
    /// `TOznaczenieProceduryZ`: procedure marker of an order line (`ZamowienieWiersz/ProceduraZ`).
    pub enum OznaczenieProceduryZ = "TOznaczenieProceduryZ" {
        /// `WSTO_EE`.
        WstoEe = "WSTO_EE",
        /// `IED`.
        Ied = "IED",
        /// `TT_D`.
        TtD = "TT_D",
        /// `B_SPV`.
        BSpv = "B_SPV",
        /// `B_SPV_DOSTAWA`.
        BSpvDostawa = "B_SPV_DOSTAWA",
        /// `B_MPV_PROWIZJA`.
        BMpvProwizja = "B_MPV_PROWIZJA",
    }
}

xsd_enum! {
    /// `TFormaPlatnosci`: form of payment (`Platnosc/FormaPlatnosci`).
    pub enum FormaPlatnosci = "TFormaPlatnosci" {
        /// `1`: cash.
        Gotowka = "1",
        /// `2`: card.
        Karta = "2",
        /// `3`: voucher.
        Bon = "3",
        /// `4`: cheque.
        Czek = "4",
        /// `5`: credit.
        Kredyt = "5",
        /// `6`: bank transfer.
        Przelew = "6",
        /// `7`: mobile payment.
        Mobilna = "7",
    }
}

xsd_enum! {
    /// `TRachunekWlasnyBanku`: kind of the bank's own account (`RachunekBankowy/RachunekWlasnyBanku`).
    pub enum RachunekWlasnyBanku = "TRachunekWlasnyBanku" {
        /// `1`: account for settling receivables acquired by the bank.
        Wierzytelnosci = "1",
        /// `2`: account used by the bank to collect from the buyer and pass to the supplier.
        Pobranie = "2",
        /// `3`: the bank's own operating account.
        GospodarkaWlasna = "3",
    }
}

xsd_enum! {
    /// `TStatusInfoPodatnika`: seller status (`Podmiot1/StatusInfoPodatnika`).
    pub enum StatusInfoPodatnika = "TStatusInfoPodatnika" {
        /// `1`: in liquidation.
        Likwidacja = "1",
        /// `2`: in restructuring proceedings.
        Restrukturyzacja = "2",
        /// `3`: in bankruptcy.
        Upadlosc = "3",
        /// `4`: enterprise in inheritance.
        PrzedsiebiorstwoWSpadku = "4",
    }
}

xsd_enum! {
    /// `TRolaPodmiotu3`: role of a third party (`Podmiot3/Rola`).
    pub enum RolaPodmiotu3 = "TRolaPodmiotu3" {
        /// `1`: factor.
        Faktor = "1",
        /// `2`: recipient (internal unit or branch of the buyer).
        Odbiorca = "2",
        /// `3`: original entity (taken over or transformed).
        PodmiotPierwotny = "3",
        /// `4`: additional buyer.
        DodatkowyNabywca = "4",
        /// `5`: invoice issuer on behalf of the taxpayer.
        WystawcaFaktury = "5",
        /// `6`: payer instead of the buyer.
        DokonujacyPlatnosci = "6",
        /// `7`: local-government unit (JST), issuer.
        JstWystawca = "7",
        /// `8`: local-government unit (JST), recipient.
        JstOdbiorca = "8",
        /// `9`: VAT-group member, issuer.
        CzlonekGvWystawca = "9",
        /// `10`: VAT-group member, recipient.
        CzlonekGvOdbiorca = "10",
        /// `11`: employee.
        Pracownik = "11",
    }
}

xsd_enum! {
    /// `TRolaPodmiotuUpowaznionego`: role of the authorised entity (`PodmiotUpowazniony/RolaPU`).
    pub enum RolaPodmiotuUpowaznionego = "TRolaPodmiotuUpowaznionego" {
        /// `1`: enforcement authority (art. 106c pkt 1).
        OrganEgzekucyjny = "1",
        /// `2`: court bailiff (art. 106c pkt 2).
        KomornikSadowy = "2",
        /// `3`: tax representative (art. 18a–18d).
        PrzedstawicielPodatkowy = "3",
    }
}

xsd_enum! {
    /// `TTypKorekty`: when a correction takes effect (`Fa/TypKorekty`).
    pub enum TypKorekty = "TTypKorekty" {
        /// `1`: on the date of the original invoice.
        DataPierwotnej = "1",
        /// `2`: on the date of the correction.
        DataKorekty = "2",
        /// `3`: on another date (or different dates per line).
        Inna = "3",
    }
}

xsd_enum! {
    /// `TRodzajTransportu`: mode of transport (`Transport/RodzajTransportu`).
    pub enum RodzajTransportu = "TRodzajTransportu" {
        /// `1`: sea.
        Morski = "1",
        /// `2`: rail.
        Kolejowy = "2",
        /// `3`: road.
        Drogowy = "3",
        /// `4`: air.
        Lotniczy = "4",
        /// `5`: postal consignment.
        Pocztowy = "5",
        /// `7`: fixed transport installations.
        InstalacjePrzesylowe = "7",
        /// `8`: inland waterway.
        ZeglugaSrodladowa = "8",
    }
}

xsd_enum! {
    /// `TLadunek`: cargo packaging (`Transport/OpisLadunku`).
    pub enum Ladunek = "TLadunek" {
        /// `1`: can.
        Banka = "1",
        /// `2`: barrel.
        Beczka = "2",
        /// `3`: cylinder.
        Butla = "3",
        /// `4`: carton.
        Karton = "4",
        /// `5`: canister.
        Kanister = "5",
        /// `6`: cage.
        Klatka = "6",
        /// `7`: container.
        Kontener = "7",
        /// `8`: basket.
        Kosz = "8",
        /// `9`: punnet.
        Lubianka = "9",
        /// `10`: collective packaging.
        OpakowanieZbiorcze = "10",
        /// `11`: parcel.
        Paczka = "11",
        /// `12`: package.
        Pakiet = "12",
        /// `13`: pallet.
        Paleta = "13",
        /// `14`: receptacle.
        Pojemnik = "14",
        /// `15`: bulk solid container.
        PojemnikMasowyStaly = "15",
        /// `16`: bulk liquid container.
        PojemnikMasowyPlynny = "16",
        /// `17`: box.
        Pudelko = "17",
        /// `18`: tin.
        Puszka = "18",
        /// `19`: crate.
        Skrzynia = "19",
        /// `20`: sack.
        Worek = "20",
    }
}

xsd_enum! {
    /// Column type of an attachment table (`Zalacznik/.../TNaglowek/Kol/@Typ`).
    pub enum TypKolumny = "Kol/@Typ" {
        /// `date`.
        Date = "date",
        /// `datetime`.
        Datetime = "datetime",
        /// `dec`.
        Dec = "dec",
        /// `int`.
        Int = "int",
        /// `time`.
        Time = "time",
        /// `txt`.
        Txt = "txt",
    }
}
