package blob_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/lettertomyself/ltm/apps/letter-storage/internal/blob"
	"github.com/lettertomyself/ltm/apps/letter-storage/internal/blob/blobtest"
	"github.com/lettertomyself/ltm/apps/letter-storage/internal/image"
)

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestRoundTripOnBothComponents(t *testing.T) {
	// Binary data, some of which is itself valid base64 text: the adapter
	// must not let either component decode it twice.
	payloads := map[string][]byte{
		"binary":            {0xFF, 0xD8, 0xFF, 0x00, 0x01, '"', '\\', 0x7F, 0x80},
		"looks like base64": []byte("aGVsbG8="),
		"big":               bytes.Repeat([]byte{1, 2, 3, 250}, 1<<20),
	}
	for _, kind := range []struct {
		name string
		kind blobtest.Kind
	}{{"localstorage", blobtest.LocalStorage}, {"gcp.bucket", blobtest.GCPBucket}} {
		for name, data := range payloads {
			t.Run(kind.name+"/"+name, func(t *testing.T) {
				ctx := context.Background()
				fake := blobtest.New(t, "images", kind.kind)
				b := blob.New(fake.URL, nil, "images", 5<<20)
				key := "users/u/" + name
				if err := b.Put(ctx, key, data); err != nil {
					t.Fatal(err)
				}
				if got, _ := fake.Object(key); !bytes.Equal(got, data) {
					t.Fatalf("stored %d bytes, want the %d sent", len(got), len(data))
				}
				got, err := b.Get(ctx, key, sum(data))
				if err != nil || !bytes.Equal(got, data) {
					t.Fatalf("Get = %d bytes, %v", len(got), err)
				}
				if err := b.Delete(ctx, key); err != nil {
					t.Fatal(err)
				}
				if err := b.Delete(ctx, key); err != nil {
					t.Fatalf("deleting a missing object: %v", err)
				}
				if _, err := b.Get(ctx, key, sum(data)); !errors.Is(err, image.ErrObjectMissing) {
					t.Fatalf("Get after delete = %v, want ErrObjectMissing", err)
				}
			})
		}
	}
}

func TestPutDetectsALostUpload(t *testing.T) {
	fake := blobtest.New(t, "images", blobtest.GCPBucket)
	fake.LoseWrites(true) // 1.14 gcp.bucket: 200 although nothing was stored
	err := blob.New(fake.URL, nil, "images", 5<<20).Put(context.Background(), "users/u/x", []byte("data"))
	if err == nil {
		t.Fatal("Put succeeded although the object is not there")
	}
}

func TestGetDetectsWrongBytes(t *testing.T) {
	fake := blobtest.New(t, "images", blobtest.LocalStorage)
	fake.Put("users/u/x", []byte("other bytes"))
	_, err := blob.New(fake.URL, nil, "images", 5<<20).Get(context.Background(), "users/u/x", sum([]byte("original")))
	if !errors.Is(err, blob.ErrChecksum) {
		t.Fatalf("Get = %v, want ErrChecksum", err)
	}
}

func TestTransientErrorsAreNotMissingObjects(t *testing.T) {
	fake := blobtest.New(t, "images", blobtest.LocalStorage)
	fake.FailAll(true)
	err := blob.New(fake.URL, nil, "images", 5<<20).Delete(context.Background(), "users/u/x")
	if err == nil || errors.Is(err, image.ErrObjectMissing) {
		t.Fatalf("Delete = %v, want a plain (retryable) error", err)
	}
}
