//! Image upload decoding: the bytes are an upload, processed as a unit image or
//! a tenant picture is (`berth_core::media::inspect` and `process`: type by
//! content, decoding within the side, pixel and memory limits, turning
//! upright, re-encoding in widths). Besides not panicking: what `inspect`
//! accepts `process` accepts too (a policy check accepting a picture that
//! publishing then refuses would be a lie), at the size `inspect` gave, in
//! widths never wider than the original nor than the widest variant, each a
//! JPEG that berth itself reads back.

use berth_core::media::{VARIANT_WIDTHS, inspect, process};

/// Processes `data` as an upload.
pub fn run(data: &[u8]) {
    let Ok((width, height)) = inspect(data) else {
        // Refused by inspection: processing refuses it too.
        assert!(
            process(data).is_err(),
            "process accepts what inspect refused"
        );
        return;
    };
    let processed = process(data)
        .unwrap_or_else(|refusal| panic!("inspect accepted, process refused: {refusal}"));
    let widest = VARIANT_WIDTHS[VARIANT_WIDTHS.len() - 1];
    assert_eq!(processed.width, width.min(widest), "widest variant's width");
    if width <= widest {
        assert_eq!(
            processed.height, height,
            "an unscaled picture keeps its height"
        );
    }
    let mut previous = 0;
    for variant in &processed.variants {
        assert!(variant.width > previous, "widths grow");
        previous = variant.width;
        assert_eq!(
            inspect(&variant.bytes),
            Ok((variant.width, variant.height)),
            "a stored width reads back at its size"
        );
    }
}
