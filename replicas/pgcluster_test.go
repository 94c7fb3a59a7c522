//go:build faults

package replicas

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// pgCluster is a throwaway PostgreSQL cluster on its own port, made with
// initdb for a test that restarts it; the shared server is never touched.
type pgCluster struct {
	t       *testing.T
	bin     string // folder of initdb and pg_ctl
	dir     string // data folder (also the socket folder)
	port    string
	asOwner []string // runuser -u postgres -- when running as root
}

// startPostgres creates and starts a cluster. initdb refuses to run as
// root, so as root the cluster belongs to the postgres user.
func startPostgres(t *testing.T) *pgCluster {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		if p, err := exec.LookPath("initdb"); err == nil {
			bins = []string{p}
		}
	}
	if len(bins) == 0 {
		t.Fatal("initdb not found (looked in /usr/lib/postgresql/*/bin and PATH): install the PostgreSQL server package (apt-get install postgresql)")
	}
	sort.Strings(bins)
	addr := freeAddr(t)
	c := &pgCluster{t: t, bin: filepath.Dir(bins[len(bins)-1]), port: addr[strings.LastIndex(addr, ":")+1:]}
	dir, err := os.MkdirTemp("", "suivi-pg-")
	if err != nil {
		t.Fatal(err)
	}
	c.dir = dir
	t.Cleanup(func() { os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatal("running as root, the throwaway PostgreSQL cluster needs the postgres OS user (initdb refuses root): install the PostgreSQL server package, or run the tests as another user")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		c.asOwner = []string{"runuser", "-u", "postgres", "--"}
	}
	c.run("initdb", "-D", dir, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale", "C")
	c.start()
	t.Cleanup(func() { c.ctl("stop", "-m", "immediate") })
	return c
}

func (c *pgCluster) dsn(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%s/%s?sslmode=disable", c.port, db)
}

// start starts the server and waits for it to accept connections.
func (c *pgCluster) start() {
	c.ctl("start", "-w", "-t", "60", "-l", filepath.Join(c.dir, "server.log"),
		"-o", fmt.Sprintf("-p %s -k %s -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off", c.port, c.dir))
}

// stop shuts the server down fast: sessions are cut, as in a restart.
func (c *pgCluster) stop() { c.ctl("stop", "-w", "-m", "fast") }

func (c *pgCluster) ctl(args ...string) {
	c.run("pg_ctl", append([]string{"-D", c.dir}, args...)...)
}

func (c *pgCluster) run(tool string, args ...string) {
	c.t.Helper()
	argv := append(append([]string{}, c.asOwner...), append([]string{filepath.Join(c.bin, tool)}, args...)...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = os.TempDir()
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		c.t.Fatalf("%s %s: %v (after %s)\n%s", tool, strings.Join(args, " "), err, time.Since(start).Round(time.Millisecond), out)
	}
}
