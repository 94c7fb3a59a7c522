package cards

import (
	"bytes"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
)

func TestWriteCardsPages(t *testing.T) {
	var cs []Card
	for i := range 11 {
		cs = append(cs, Card{Ref: fmt.Sprintf("MA-2018-%04d", i+1), Link: fmt.Sprintf("https://t.me/suivi_bot?start=tok%02d", i),
			ExpiresAt: time.Date(2018, 8, 14, 10, 0, 0, 0, time.UTC)})
	}
	var b bytes.Buffer
	if err := Write(&b, cs, time.UTC); err != nil {
		t.Fatal(err)
	}
	if path := os.Getenv("CARDS_PDF"); path != "" { // to look at it
		os.WriteFile(path, b.Bytes(), 0o600)
	}
	pages, err := api.PageCount(bytes.NewReader(b.Bytes()), nil)
	if err != nil || pages != 2 {
		t.Fatalf("%d pages, %v; want 2 for 11 cards at %d a page", pages, err, PerPage)
	}
	images, err := api.Images(bytes.NewReader(b.Bytes()), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(images) != 2 || len(images[0]) != 8 || len(images[1]) != 3 {
		counts := []int{}
		for _, m := range images {
			counts = append(counts, len(m))
		}
		t.Fatalf("QR images per page %v, want [8 3]", counts)
	}
	if err := Write(&b, nil, time.UTC); err == nil {
		t.Fatal("no cards printed an empty PDF")
	}
}
