// Go counterparts of test/benchmarks/runtime_bench.cpp, same workload names.
// Prints one JSON object per line: {"name": ..., "ns_per_op": ...}.
// Run with GOMAXPROCS=2 (run.sh does).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"regexp"
	"sync"
	"testing"
)

const (
	messages   = 1000000
	roundTrips = 100000
	capacity   = 1024
)

func pc(producers, consumers int) func(b *testing.B) {
	return func(b *testing.B) {
		for n := 0; n < b.N; n++ {
			ch := make(chan int64, capacity)
			var sum int64
			var mu sync.Mutex
			var cons sync.WaitGroup
			for c := 0; c < consumers; c++ {
				cons.Add(1)
				go func() {
					defer cons.Done()
					var local int64
					for v := range ch {
						local += v
					}
					mu.Lock()
					sum += local
					mu.Unlock()
				}()
			}
			var prods sync.WaitGroup
			for p := 0; p < producers; p++ {
				prods.Add(1)
				go func() {
					defer prods.Done()
					for i := int64(0); i < messages/int64(producers); i++ {
						ch <- i
					}
				}()
			}
			prods.Wait()
			close(ch)
			cons.Wait()
		}
	}
}

func pingpong(b *testing.B) {
	for n := 0; n < b.N; n++ {
		ping, pong := make(chan int64), make(chan int64)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for v := range ping {
				pong <- v
			}
		}()
		for i := int64(0); i < roundTrips; i++ {
			ping <- i
			<-pong
		}
		close(ping)
		wg.Wait()
	}
}

func addDone(b *testing.B) {
	var wg sync.WaitGroup
	for n := 0; n < b.N; n++ {
		wg.Add(1)
		wg.Done()
	}
}

func goWait(b *testing.B) {
	var wg sync.WaitGroup
	for n := 0; n < b.N; n++ {
		wg.Add(1)
		go func() { wg.Done() }()
		wg.Wait()
	}
}

var sink bool

func cancelledPoll(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := ctx.Done()
	for n := 0; n < b.N; n++ {
		select {
		case <-done:
			sink = true
		default:
		}
	}
}

func cancelFanout(b *testing.B) {
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		root, cancelRoot := context.WithCancel(context.Background())
		children := make([]context.Context, 0, 100)
		cancels := make([]context.CancelFunc, 0, 10000)
		for i := 0; i < 100; i++ {
			c, cancel := context.WithCancel(root)
			children = append(children, c)
			cancels = append(cancels, cancel)
		}
		for i := 0; i < 9900; i++ {
			_, cancel := context.WithCancel(children[i%100])
			cancels = append(cancels, cancel)
		}
		b.StartTimer()
		cancelRoot()
		b.StopTimer()
		for _, c := range cancels {
			c()
		}
		b.StartTimer()
	}
}

type workload struct {
	name  string
	ops   float64
	bench func(b *testing.B)
}

func main() {
	filter := flag.String("filter", ".", "regexp of workload names")
	flag.Parse()
	re := regexp.MustCompile(*filter)
	workloads := []workload{
		{"chan_1p1c_cap1024/go", messages, pc(1, 1)},
		{"chan_4p4c_cap1024/go", messages, pc(4, 4)},
		{"chan_unbuffered_pingpong/go", roundTrips, pingpong},
		{"waitgroup_add_done/go", 1, addDone},
		{"go_wait_per_task/go", 1, goWait},
		{"ctx_cancelled_poll/go", 1, cancelledPoll},
		{"ctx_cancel_fanout_10k/go", 1, cancelFanout},
	}
	enc := json.NewEncoder(os.Stdout)
	for _, w := range workloads {
		if !re.MatchString(w.name) {
			continue
		}
		r := testing.Benchmark(w.bench)
		if r.N == 0 {
			fmt.Fprintf(os.Stderr, "%s: benchmark failed\n", w.name)
			os.Exit(1)
		}
		nsPerOp := float64(r.T.Nanoseconds()) / float64(r.N) / w.ops
		enc.Encode(map[string]interface{}{"name": w.name, "ns_per_op": nsPerOp})
	}
}
