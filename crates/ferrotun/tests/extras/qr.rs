//! `ferrotun qr`: the printed code decodes back to the file, byte for byte.

use super::{ferrotun, good_config, TempDir, KEY1};

/// The module grid (true = dark) read back from the half blocks.
fn modules(text: &str) -> Vec<Vec<bool>> {
    let mut rows = Vec::new();
    for line in text.lines() {
        let (top, bottom): (Vec<bool>, Vec<bool>) = line
            .chars()
            .map(|c| (!matches!(c, '█' | '▀'), !matches!(c, '█' | '▄')))
            .unzip();
        rows.push(top);
        rows.push(bottom);
    }
    rows
}

/// Decodes the text with rqrr, drawing each module as 4x4 pixels on a wide white margin:
/// (version, content).
fn decode(text: &str) -> (usize, String) {
    let rows = modules(text);
    const SCALE: usize = 4;
    const MARGIN: usize = 8;
    let height = rows.len();
    let width = rows[0].len();
    let mut image = rqrr::PreparedImage::prepare_from_bitmap(
        (width + 2 * MARGIN) * SCALE,
        (height + 2 * MARGIN) * SCALE,
        |x, y| {
            let (x, y) = (
                (x / SCALE).checked_sub(MARGIN),
                (y / SCALE).checked_sub(MARGIN),
            );
            match (x, y) {
                // The last text line's lower half is below the quiet zone: not part of it.
                (Some(x), Some(y)) if x < width && y < height - 1 => rows[y][x],
                _ => false,
            }
        },
    );
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one code in:\n{text}");
    let (meta, content) = grids[0].decode().expect("the code decodes");
    (meta.version.0, content)
}

#[test]
fn the_code_holds_the_file() {
    let dir = TempDir::new("qr");
    let config = good_config();
    let path = dir.file("wg0.conf", &config);
    let run = ferrotun(&["qr", &path], &[]);
    assert_eq!((run.code, run.err.as_str()), (0, ""));
    assert!(!run.out.contains('\x1b'), "no colour when piped");
    let (version, content) = decode(&run.out);
    assert_eq!(content, config);
    // Width: 17 + 4 * version modules, plus a quiet zone of 2 on each side.
    let columns = run.out.lines().next().unwrap().chars().count();
    assert_eq!(columns, 17 + 4 * version + 4);
    assert!(
        version <= 15,
        "a {}-byte file fits a small code: {version}",
        config.len()
    );
}

#[test]
fn colour_on_request_draws_the_same_code() {
    let dir = TempDir::new("qr-colour");
    let config = format!("[Interface]\nAddress = 10.9.0.1/24\n[Peer]\nPublicKey = {KEY1}\n");
    let path = dir.file("wg0.conf", &config);
    let run = ferrotun(&["qr", &path], &[("WG_COLOR_MODE", "always")]);
    assert!(run
        .out
        .lines()
        .all(|l| l.starts_with("\x1b[40;97m") && l.ends_with("\x1b[0m")));
    let plain = run.out.replace("\x1b[40;97m", "").replace("\x1b[0m", "");
    assert_eq!(decode(&plain).1, config);
}

#[test]
fn broken_missing_and_huge_files_are_refused() {
    let dir = TempDir::new("qr-bad");
    let bad = dir.file("wg0.conf", "[Interface]\nAdress = 10.0.0.1/24\n");
    let run = ferrotun(&["qr", &bad], &[]);
    assert_eq!((run.code, run.out.as_str()), (1, ""));
    assert_eq!(
        run.err.lines().next().unwrap().split_once(": ").unwrap().1,
        format!("{bad}:2: Line unrecognized: `Adress=10.0.0.1/24' (`ferrotun check {bad}' lists every problem)")
    );
    let missing = dir.path().join("wg1.conf").display().to_string();
    let run = ferrotun(&["qr", &missing], &[]);
    assert_eq!(run.code, 1);
    assert!(
        run.err
            .ends_with(&format!(": {missing}: No such file or directory\n")),
        "{run:?}"
    );
    let mut huge = "[Interface]\nAddress = 10.0.0.1/24\n".to_string();
    while huge.len() < 3000 {
        huge.push_str("# a long comment that makes the file too large for one QR code\n");
    }
    let path = dir.file("wg2.conf", &huge);
    let run = ferrotun(&["qr", &path], &[]);
    assert_eq!((run.code, run.out.as_str()), (1, ""));
    assert!(
        run.err.contains(&format!(
            "{path} has {} bytes, more than a QR code holds (2953)",
            huge.len()
        )),
        "{run:?}"
    );
    let run = ferrotun(&["qr"], &[]);
    assert_eq!(run.code, 1);
    assert!(run.err.contains(" qr [ CONFIG_FILE | INTERFACE ]"));
}
