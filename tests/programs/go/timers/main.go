// timers: time.Sleep, time.After, timers, tickers and context deadlines. Prints only
// orderings and counts, never durations.
package main

import (
	"context"
	"fmt"
	"sync"
	"time"
)

func main() {
	start := time.Now()
	time.Sleep(10 * time.Millisecond)
	fmt.Println("slept at least 10ms:", time.Since(start) >= 10*time.Millisecond)

	// Sleepers wake in deadline order.
	var mu sync.Mutex
	var order []int
	var wg sync.WaitGroup
	for _, d := range []int{30, 10, 20} {
		wg.Add(1)
		go func(d int) {
			defer wg.Done()
			time.Sleep(time.Duration(d) * time.Millisecond)
			mu.Lock()
			order = append(order, d)
			mu.Unlock()
		}(d)
	}
	wg.Wait()
	fmt.Println("wake order:", order)

	select {
	case <-time.After(5 * time.Millisecond):
		fmt.Println("time.After fired")
	case <-make(chan int):
		fmt.Println("impossible")
	}

	t := time.NewTimer(time.Hour)
	fmt.Println("stopped long timer:", t.Stop())

	tick := time.NewTicker(2 * time.Millisecond)
	n := 0
	for range tick.C {
		n++
		if n == 5 {
			break
		}
	}
	tick.Stop()
	fmt.Println("ticks:", n)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Millisecond)
	defer cancel()
	<-ctx.Done()
	fmt.Println("context:", ctx.Err())

	fired := make(chan string, 1)
	time.AfterFunc(time.Millisecond, func() { fired <- "afterfunc ran" })
	fmt.Println(<-fired)
}
