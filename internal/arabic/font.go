package arabic

import _ "embed"

// Font is DejaVu Sans, which covers Latin and Arabic, including the
// presentation forms Visual draws Arabic with. Its licence
// (internal/arabic/fonts/LICENSE-DejaVu.txt) allows embedding and
// redistribution; fpdf embeds only the glyphs a document uses.
//
//go:embed fonts/DejaVuSans.ttf
var Font []byte
