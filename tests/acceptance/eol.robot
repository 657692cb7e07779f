*** Settings ***
Documentation    The EOL keywords and the EOL sequence of resources/eol.resource against the simulated demo
...              ECU (bench sim-1): a good ECU passes; each faulty ECU fails at the right step with the
...              right reason and hint, and is reported too; a malformed barcode fails before the ECU is
...              touched; reports follow their schema, are spooled while the MES folder is unreachable and
...              delivered later; the quality database gives yield, first-pass yield and cycle time.
...
...              Reports, spool and database go under ${EOL_DIR} (the output directory), never into the
...              demo station's results folder; tests that count results use their own database.

Library          Collections
Library          OperatingSystem
Library          UdsLibrary
Resource         ../../resources/eol.resource

Test Teardown    Finish EOL Test


*** Variables ***
${STATION_FILE}    ${CURDIR}/../../resources/stations/demo_station.yaml
${GOOD_BARCODE}    03L906018A;SN00000042;WVWZZZ1JZXW000001
${EOL_DIR}         ${OUTPUT DIR}${/}eol
&{OVERRIDES}       mes_folder=${EOL_DIR}${/}mes    spool_folder=${EOL_DIR}${/}spool
...                database=${EOL_DIR}${/}quality.sqlite
@{SEQUENCE}        Extended session    Security access    VIN    Write variant code    Variant code
...                Start EOL calibration    EOL calibration result    Clear DTCs    Confirmed DTCs    Identification
...                Default session


*** Test Cases ***
Good ECU Passes And Is Reported
    [Documentation]    Every step passes; the report has the steps with expected and actual values, the
    ...    identification read from the ECU, the trace and the cycle time; the database has its row.
    ${unit} =    Start EOL Test    ${GOOD_BARCODE}    ${STATION_FILE}    &{OVERRIDES}
    Run EOL Sequence
    ${path} =    Finish EOL Test
    Should Match Regexp    ${path}    \\d{8}T\\d{6}Z_EOL-DEMO-01_SN00000042_PASS_${unit.report_id[:8]}\\.json$
    ${report} =    Read EOL Report    ${path}
    Report Should Be A Complete PASS    ${report}
    ${vin} =    Evaluate    next(step for step in $report.steps if step["name"] == "VIN")
    Should Be Equal    ${vin}[expected]    WVWZZZ1JZXW000001
    Should Be Equal    ${vin}[actual]    WVWZZZ1JZXW000001

A Custom Sequence From The EOL Keywords Alone
    [Documentation]    The building blocks without resources/eol.resource: another line's own sequence.
    ${station} =    Load EOL Station    ${STATION_FILE}    &{OVERRIDES}    trace_format=none
    ${unit} =    Start EOL Report    ${GOOD_BARCODE}
    Open UDS Connection    ${station.bench}
    ${version} =    EOL Step    Software version    0420    Read DID    systemSupplierEcuSoftwareVersion
    Record EOL Identification    software_version=${version}    serial=${unit.serial}
    ${path} =    Write EOL Report    status=PASS
    ${report} =    Read EOL Report    ${path}
    Should Be Equal    ${report.result}    PASS
    Should Be Equal    ${report.ecu.software_version}    0420

Low Supply Voltage Fails At The Session Change With The Supply Hint
    [Documentation]    NRC 0x22 on the session change: the hint says to check the bench supply. The teardown
    ...    still tries the default session (refused too, and reported).
    ${report} =    Faulty ECU Should Fail    low_voltage    True    Extended session
    ...    *NRC 0x22 conditionsNotCorrect*hint: on a session change this usually means the supply voltage is too low*
    Should Be Equal    ${report.steps[-1]}[name]    Default session
    Should Be Equal    ${report.steps[-1]}[actual]    NRC 0x22 conditionsNotCorrect

Wrong Key Algorithm Version Fails At Security Access With The Key Version Hint
    [Documentation]    The ECU software expects the keys of another algorithm version: every key is invalid.
    Faulty ECU Should Fail    key_algorithm_version    2    Security access
    ...    *NRC 0x35 invalidKey*hint: check the key algorithm and its version*

Variant Code Outside The Variant Matrix Fails At The Write With The Matrix Hint
    [Documentation]    This hardware allows variants 1..2 only: writing 3 is refused with NRC 0x31.
    Faulty ECU Should Fail    variant_range    1, 2    Write variant code
    ...    *NRC 0x31 requestOutOfRange*hint:*variant code check the OEM variant matrix*

Failing EOL Calibration Fails With Its Status Record
    [Documentation]    The calibration routine reports 02 instead of 00 when it is done.
    Faulty ECU Should Fail    routine_failure    A001\=02    EOL calibration result
    ...    expected '00', got '02'; hint: the calibration routine reported a failure*

Slow NvM Fails When The Write Takes Longer Than Its Limit
    [Documentation]    The variant code write is answered with 0x78 responsePending for 1.5 s; the step limit
    ...    is 1 s here. The reason counts the 0x78s and the hint says to extend the limit or check the NvM.
    Faulty ECU Should Fail    slow_nvm    1.5 s    Write variant code
    ...    it took * s, longer than its limit of 1 s: the ECU answered * x 0x78 responsePending*hint: *step's limit*
    ...    step_time_limit=1 s

Confirmed DTC After The Clear Fails With The DTC And Its Description
    [Documentation]    The ECU's monitor confirms P0123-45 again right after every clear: a real fault.
    ${unit} =    Start EOL Test    ${GOOD_BARCODE}    ${STATION_FILE}    &{OVERRIDES}
    Confirm DTC Again After Every Clear    ${0x012345}
    Run Keyword And Expect Error
    ...    EOL step 'Confirmed DTCs' failed: expected 'none', got 'P0123-45 (Mass or volume air flow *)'; hint: *
    ...    Run EOL Sequence
    Finish EOL Test
    Report Should Say FAIL At    ${unit}    Confirmed DTCs    *a real fault of this unit*

Malformed Barcode Fails Before The ECU Is Touched
    [Documentation]    The barcode is refused before a connection is opened; no report is written.
    Run Keyword And Expect Error
    ...    barcode 'SN00000042' does not match the station's barcode pattern*; nothing was sent to the ECU
    ...    Start EOL Test    SN00000042    ${STATION_FILE}    &{OVERRIDES}
    ${eol} =    Get EOL Test
    Should Be Equal    ${eol}    ${NONE}
    Run Keyword And Expect Error    No UDS connection is open*    Get UDS Simulator
    ${path} =    Finish EOL Test
    Should Be Equal    ${path}    ${NONE}

Barcodes Are Parsed By The Station Pattern Or A Given One
    [Documentation]    The fields come from named groups; a malformed barcode says what was expected.
    ${unit} =    Parse Barcode    ${GOOD_BARCODE}
    Should Be Equal    ${unit.part_number}    03L906018A
    Should Be Equal    ${unit.serial}    SN00000042
    Should Be Equal    ${unit.vin}    WVWZZZ1JZXW000001
    ${unit} =    Parse Barcode    SN42/WVWZZZ1JZXW000001/03L906018A
    ...    pattern=(?P<serial>[0-9A-Z]+)/(?P<vin>[0-9A-Z]{17})/(?P<part_number>[0-9A-Z]+)
    Should Be Equal    ${unit.serial}    SN42
    Run Keyword And Expect Error    the barcode is empty: scan the ECU's label    Parse Barcode    ${SPACE}
    Run Keyword And Expect Error    *'WVWZZZ1JZXW00000I' is not a VIN*    Parse Barcode
    ...    03L906018A;SN42;WVWZZZ1JZXW00000I    pattern=(?P<part_number>\\w+);(?P<serial>\\w+);(?P<vin>\\w+)
    Run Keyword And Expect Error    barcode pattern '(?P<serial>.+)' lacks the named group(s)*
    ...    Parse Barcode    x    pattern=(?P<serial>.+)
    Run Keyword And Expect Error    barcode '03L906018A;SN42;WVWZZZ1JZXW0001' does not match*e.g. '${GOOD_BARCODE}'*
    ...    Parse Barcode    03L906018A;SN42;WVWZZZ1JZXW0001

Reports Are Spooled While The MES Folder Is Unreachable And Delivered Later
    [Documentation]    The first ECU's report goes to the spool (the MES share is not mounted); the next run
    ...    delivers it, unchanged, before its own report.
    ${folder} =    Fresh Folder    spool-test
    VAR    ${share} =    ${folder}${/}share${/}inbox
    VAR    &{unmounted} =    mes_folder=${share}    create_mes_folder=false    spool_folder=${folder}${/}spool
    ...    database=${folder}${/}quality.sqlite
    ${spooled} =    EOL Run    ${GOOD_BARCODE}    &{unmounted}
    ${original} =    Report Should Be In    ${spooled}    ${folder}${/}spool
    Create Directory    ${share}
    ${path} =    EOL Run    ${GOOD_BARCODE}    &{unmounted}
    Should Start With    ${path}    ${share}${/}
    Directory Should Be Empty    ${folder}${/}spool
    Same Report Should Be In    ${share}    ${spooled}    ${original}

Quality Summary Gives Yield First Pass Yield And Cycle Time Per Part Number
    [Documentation]    Unit SN0001 fails (wrong VIN on the label), then passes; unit SN0002 passes: 2 units,
    ...    yield 100 %, first-pass yield 50 %, 3 tests.
    ${folder} =    Fresh Folder    summary-test
    VAR    ${database} =    ${folder}${/}quality.sqlite
    EOL Run    03L906018A;SN0001;WVWZZZ1JZXW000999    database=${database}
    EOL Run    03L906018A;SN0001;WVWZZZ1JZXW000001    database=${database}
    EOL Run    03L906018A;SN0002;WVWZZZ1JZXW000001    database=${database}
    ${summary} =    EOL Summary    03L906018A
    Length Should Be    ${summary}    1
    Summary Should Be    ${summary}[0]    part_number=03L906018A    tests=3    units=2    yield=1.0
    ...    first_pass_yield=0.5
    Should Be True    ${summary[0].median_cycle_time_s} > 0

Reports Are Checked Against Their Schema
    [Documentation]    A report that breaks its schema, is not JSON or names an unknown schema version is refused.
    ${folder} =    Fresh Folder    schema-test
    VAR    ${broken} =    ${folder}${/}broken.json
    Create File    ${broken}    {"schema_version": 1, "result": "MAYBE"}
    Run Keyword And Expect Error    EOL report '${broken}': the report does not follow schema eol-report-1: *
    ...    Read EOL Report    ${broken}
    Create File    ${broken}    {"schema_version": 1,
    Run Keyword And Expect Error    EOL report '${broken}' is not JSON: *    Read EOL Report    ${broken}
    Create File    ${broken}    {"schema_version": 2}
    Run Keyword And Expect Error    *unknown EOL report schema version 2 (this UdsLibrary knows 1)
    ...    Read EOL Report    ${broken}

EOL Steps Compare Numbers, Hex And Text And Record Identification
    [Documentation]    Expected values in hex or decimal match numbers; hex records match in any spelling.
    ${unit} =    Start EOL Test    ${GOOD_BARCODE}    ${STATION_FILE}    &{OVERRIDES}
    EOL Step    Speed in hex    0x32    Read DID    vehicleSpeed
    EOL Step    Speed in decimal    50    Read DID    vehicleSpeed
    EOL Step    Raw speed    0032    Read DID    vehicleSpeed    raw=True
    ${serial} =    EOL Step    Serial    SN00000042    Read DID    ecuSerialNumber
    Run Keyword And Expect Error    EOL step 'Wrong speed' failed: expected '51', got '50'
    ...    EOL Step    Wrong speed    51    Read DID    vehicleSpeed
    Finish EOL Test
    ${report} =    Report Should Say FAIL At    ${unit}    Wrong speed
    Should Be Equal    ${report.steps[0]}[actual]    0x32
    Should Be Equal    ${report.steps[3]}[actual]    ${serial}


*** Keywords ***
Faulty ECU Should Fail
    [Documentation]    Runs the EOL sequence on the demo ECU with ``fault`` set to ``value``: it must fail at
    ...    ``step`` with a reason matching ``reason``, and the report must say so. Returns the report.
    [Arguments]    ${fault}    ${value}    ${step}    ${reason}    &{settings}
    ${unit} =    Start EOL Test    ${GOOD_BARCODE}    ${STATION_FILE}    &{OVERRIDES}    &{settings}
    Inject Fault    ${fault}    ${value}
    Run Keyword And Expect Error    EOL step '${step}' failed: ${reason}    Run EOL Sequence
    Run Keyword And Ignore Error    Finish EOL Test
    ${report} =    Report Should Say FAIL At    ${unit}    ${step}    ${reason}
    RETURN    ${report}

Report Should Say FAIL At
    [Documentation]    The report of ``unit`` is FAIL at ``step`` (reason matching ``reason``); returns it.
    [Arguments]    ${unit}    ${step}    ${reason}=*
    ${files} =    List Files In Directory    ${EOL_DIR}${/}mes    *_${unit.report_id[:8]}.json    absolute=True
    Length Should Be    ${files}    1
    ${report} =    Read EOL Report    ${files}[0]
    Should Be Equal    ${report.result}    FAIL
    Should Be Equal    ${report.failure.step}    ${step}
    Should Match    ${report.failure.reason}    ${reason}
    ${failed} =    Evaluate    next(s for s in $report.steps if not s["pass"])
    Should Be Equal    ${failed}[name]    ${step}
    RETURN    ${report}

Confirm DTC Again After Every Clear
    [Documentation]    The ECU's monitor finds the fault again right after a clear, as on a unit with a real
    ...    defect: DTC ``code`` (a number) is reported failed, so confirmed, after every clear.
    [Arguments]    ${code}
    ${ecu} =    Get UDS Simulator
    Evaluate    $ecu.faults.apply({"failing_dtcs": [$code]})

Fresh Folder
    [Documentation]    An empty folder ``name`` under ${EOL_DIR}; returns its path.
    [Arguments]    ${name}
    ${folder} =    Join Path    ${EOL_DIR}    ${name}
    Remove Directory    ${folder}    recursive=True
    Create Directory    ${folder}
    RETURN    ${folder}

EOL Run
    [Documentation]    One complete EOL test of ``barcode`` (the test goes on when it fails); returns the
    ...    path of its report.
    [Arguments]    ${barcode}    &{settings}
    Start EOL Test    ${barcode}    ${STATION_FILE}    &{OVERRIDES}    &{settings}
    Run Keyword And Ignore Error    Run EOL Sequence
    ${path} =    Finish EOL Test
    RETURN    ${path}

Report Should Be A Complete PASS
    [Documentation]    A PASS report of the demo ECU at the demo station: identification, steps, trace.
    [Arguments]    ${report}
    Should Be Equal    ${report.result}    PASS
    Should Be Equal    ${report.failure}    ${NONE}
    Should Be Equal    ${report.station.id}    EOL-DEMO-01
    Should Be Equal    ${report.bench}    sim-1
    Should Be Equal    ${report.ecu.software_version}    0420
    Should Be Equal    ${report.ecu.identification.serial}    SN00000042
    ${names} =    Evaluate    [step["name"] for step in $report.steps]
    Should Be Equal    ${names}    ${SEQUENCE}
    File Should Exist    ${report.trace_file}

Report Should Be In
    [Documentation]    The report file ``path`` is in ``folder`` and valid; returns it.
    [Arguments]    ${path}    ${folder}
    Should Start With    ${path}    ${folder}${/}
    ${report} =    Read EOL Report    ${path}
    RETURN    ${report}

Same Report Should Be In
    [Documentation]    ``folder`` holds a valid report file named like the spooled file ``path``, with the
    ...    ``original`` content.
    [Arguments]    ${folder}    ${path}    ${original}
    ${name} =    Evaluate    pathlib.Path($path).name
    ${copy} =    Read EOL Report    ${folder}${/}${name}
    Dictionaries Should Be Equal    ${copy}    ${original}

Summary Should Be
    [Documentation]    The figures of one part number (``EOL Summary``) are ``expected``.
    [Arguments]    ${summary}    &{expected}
    FOR    ${name}    ${value}    IN    &{expected}
        Should Be Equal As Strings    ${summary}[${name}]    ${value}
    END
