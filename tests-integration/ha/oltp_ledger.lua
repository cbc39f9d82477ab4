-- oltp_ledger.lua - sysbench oltp_read_write with a ledger, for the failover test.
--
-- Each transaction is exactly oltp_read_write's (same statements, prepared as
-- --db-ps-mode says) plus one row (thread, seq) in sbtest.ledger. Once COMMIT
-- returned OK, the pair is appended to LEDGER_DIR/committed.THREAD: the list of
-- transactions sysbench was told were committed. failover-test.sh compares it
-- with the ledger on the new primary. LEDGER_DIR comes from the environment.
package.path = package.path .. ";/usr/share/sysbench/?.lua"
require("oltp_read_write")

local base_thread_init = thread_init
local base_thread_done = thread_done
local out
local seq = 0

function thread_init()
   base_thread_init()
   local dir = os.getenv("LEDGER_DIR") or "."
   out = assert(io.open(string.format("%s/committed.%d", dir, sysbench.tid), "w"))
end

function thread_done()
   out:close()
   base_thread_done()
end

function event()
   begin()
   execute_point_selects()
   if sysbench.opt.range_selects then
      execute_simple_ranges()
      execute_sum_ranges()
      execute_order_ranges()
      execute_distinct_ranges()
   end
   execute_index_updates()
   execute_non_index_updates()
   execute_delete_inserts()
   seq = seq + 1
   con:query(string.format("INSERT INTO ledger (thread, seq) VALUES (%d, %d)", sysbench.tid, seq))
   commit()
   out:write(sysbench.tid, ":", seq, "\n")
   out:flush()
end
