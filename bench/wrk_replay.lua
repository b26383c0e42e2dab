-- wrk script: replay pre-generated requests, each once, and print the figures as one JSON line.
--
--   wrk -t T -c C -d 10s -s bench/wrk_replay.lua URL -- FILE T     POST every line of FILE once
--   wrk -t T -c C -d 10s -s bench/wrk_replay.lua URL               GET URL (the same script, so the
--                                                                  same per-request cost in wrk)
-- FILE has one request per line: "<X-Hub-Signature-256 value>\t<JSON body without newline>".
-- Thread k of T takes lines k, k+T, k+2T ...; a thread that runs out starts again from its first
-- line and counts it in "wrapped" (the caller then knows some requests were duplicates).

local threads = {}

function setup(thread)
    thread:set("thread_index", #threads)
    table.insert(threads, thread)
end

function init(args)
    prepared = {}
    issued = 0
    wrapped = 0
    local path, stride = args[1], tonumber(args[2] or "1")
    if path == nil then
        return
    end
    local line_number = 0
    for line in io.lines(path) do
        if line_number % stride == thread_index then
            local tab = line:find("\t", 1, true)
            local headers = {
                ["Content-Type"] = "application/json",
                ["X-Hub-Signature-256"] = line:sub(1, tab - 1),
            }
            prepared[#prepared + 1] = wrk.format("POST", nil, headers, line:sub(tab + 1))
        end
        line_number = line_number + 1
    end
    plain = nil
end

function request()
    issued = issued + 1
    if #prepared == 0 then
        plain = plain or wrk.format(nil, nil)
        return plain
    end
    local index = issued
    if index > #prepared then
        wrapped = wrapped + 1
        index = (index - 1) % #prepared + 1
    end
    return prepared[index]
end

function done(summary, latency, _requests)
    local issued_total, wrapped_total = 0, 0
    for _, thread in ipairs(threads) do
        issued_total = issued_total + thread:get("issued")
        wrapped_total = wrapped_total + thread:get("wrapped")
    end
    local errors = summary.errors
    io.write(string.format(
        'WRK_JSON {"requests": %d, "duration_us": %d, "issued": %d, "wrapped": %d, '
            .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
            .. '"latency_us": {"p50": %.0f, "p90": %.0f, "p99": %.0f, "max": %.0f, "mean": %.0f}}\n',
        summary.requests, summary.duration, issued_total, wrapped_total,
        errors.connect, errors.read, errors.write, errors.status, errors.timeout,
        latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean
    ))
end
