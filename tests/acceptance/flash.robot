*** Settings ***
Documentation    Flash programming against the simulated ECU SIM-1 (bench sim-1, ``ci`` profile): images in
...              Intel HEX, S-record and raw binary with gaps are programmed and verified, a corrupted block
...              is caught by the check routine, a refused block is sent again with the same counter, an ECU
...              reset in the middle fails clearly, the block counter wraps FF -> 00, and the three steps
...              run apart as a conformance test would.
...
...              Demo ECU facts used: memory areas flash 0x00010000-0x0007FFFF and calibration
...              0x00080000-0x0009FFFF, erase routine FF00 eraseMemory (1.5 s), check routine FF01
...              checkMemory (CRC-32), programming level 11, maxNumberOfBlockLength 0x402.
...              Every test gets a fresh connection, so a freshly booted ECU with blank (0x00) memory.

Library          Collections
Library          UdsLibrary
Library          flash_images.py

Test Setup       Open UDS Connection    ${BENCH}
Test Teardown    Close All UDS Connections


*** Variables ***
${BENCH}     ${CURDIR}/../../resources/benches/sim-1.yaml
${IMAGES}    ${OUTPUT DIR}/flash-images


*** Test Cases ***
Intel HEX Image With A Gap Is Programmed And Verified
    [Documentation]    Two ranges with a gap between them: two erases, downloads and CRC checks.
    ${image} =    Write Test Image    ${IMAGES}/app.hex    0x10000:5000 0x14000:1500
    ${summary} =    Download Image    ${image}
    Should Be Equal As Integers    ${summary}[segments]    2
    Should Be Equal As Integers    ${summary}[bytes]    6500
    Should Be Equal As Integers    ${summary}[blocks]    7
    Should Be Equal As Integers    ${summary}[retries]    0
    ${ecu} =    Get UDS Simulator
    Simulated Memory Should Hold Image    ${ecu}    ${image}

S-Record Image Across Two Memory Areas Is Programmed And Verified
    [Documentation]    One range over the end of flash into the calibration area: cut into two segments.
    ${image} =    Write Test Image    ${IMAGES}/app.s37    0x7FC00:2048    seed=2
    ${summary} =    Download Image    ${image}    erase_routine=eraseMemory    check_routine=checkMemory
    Should Be Equal As Integers    ${summary}[segments]    2
    ${ecu} =    Get UDS Simulator
    Simulated Memory Should Hold Image    ${ecu}    ${image}

Binary Image Is Programmed At Its Base Address
    [Documentation]    A raw binary carries no address: ``base_address`` says where it goes.
    ${image} =    Write Test Image    ${IMAGES}/cal.bin    0x0:3000    seed=3
    ${summary} =    Download Image    ${image}    base_address=0x80400    retries=0
    Should Be Equal As Integers    ${summary}[segments]    1
    ${ecu} =    Get UDS Simulator
    Simulated Memory Should Hold Image    ${ecu}    ${image}    base_address=80400

Image Outside The Memory Areas Is Refused Before Anything Is Sent
    [Documentation]    The ECU description's areas are checked before the session changes.
    ${image} =    Write Test Image    ${IMAGES}/outside.hex    0x0F000:16 0x10000:16
    Run Keyword And Expect Error    *has data outside the ECU's memory areas at 0x0000F000-0x0000F00F*nothing was sent
    ...    Download Image    ${image}
    ${stats} =    Log UDS Timing Statistics
    Should Be Equal As Integers    ${stats}[requests]    0

Corrupted Block Is Caught By The Check Routine
    [Documentation]    The ECU writes block 2 with a wrong byte; its CRC-32 no longer matches the image's.
    ${image} =    Write Test Image    ${IMAGES}/corrupt.hex    0x10000:4096    seed=4
    ${ecu} =    Get UDS Simulator
    Evaluate    setattr($ecu.faults, 'corrupt_block', 2)
    Run Keyword And Expect Error
    ...    check routine FF01 checkMemory reported status 01 (mismatch) for segment 1 of 1 (0x00010000-0x00010FFF*
    ...    Download Image    ${image}

Refused Block Is Sent Again With The Same Counter
    [Documentation]    Block 3 gets NRC 0x72 once; the retry with counter 03 succeeds and the image is intact.
    ${image} =    Write Test Image    ${IMAGES}/retry.hex    0x10000:6000    seed=5
    ${ecu} =    Get UDS Simulator
    Evaluate    setattr($ecu.faults, 'transfer_fail_once', 3)
    ${summary} =    Download Image    ${image}    retries=1
    Should Be Equal As Integers    ${summary}[retries]    1
    Simulated Memory Should Hold Image    ${ecu}    ${image}

Refused Block Without Retries Names The Block And The Offset
    [Documentation]    With ``retries=0`` the NRC fails the download, naming counter, segment and offset.
    ${image} =    Write Test Image    ${IMAGES}/noretry.hex    0x10000:6000    seed=6
    ${ecu} =    Get UDS Simulator
    Evaluate    setattr($ecu.faults, 'transfer_fail_once', 3)
    Run Keyword And Expect Error
    ...    *rejected block 3 (counter 03) of segment 1 of 1 * at offset 0x800 (address 0x00010800): NRC 0x72*
    ...    Download Image    ${image}    retries=0

ECU Reset In The Middle Fails Clearly
    [Documentation]    The ECU resets as block 4 starts: no answer, then 0x7F from the default session.
    ${image} =    Write Test Image    ${IMAGES}/reset.hex    0x10000:8000    seed=7
    Reset Simulated ECU At Block    4
    Run Keyword And Expect Error    download interrupted at block 4 (counter 04)*the ECU no longer has the download*
    ...    Download Image    ${image}

Block Counter Wraps From FF To 00
    [Documentation]    300 blocks of 16 bytes: the counter runs 01..FF, 00, 01..2C and the image is intact.
    ${image} =    Write Test Image    ${IMAGES}/wrap.hex    0x10000:4800    seed=8
    ${summary} =    Download Image    ${image}    block_size=16
    Should Be Equal As Integers    ${summary}[blocks]    300
    ${ecu} =    Get UDS Simulator
    Simulated Memory Should Hold Image    ${ecu}    ${image}

Download Steps Apart
    [Documentation]    RequestDownload, TransferData and RequestTransferExit one by one, then the check routine.
    Enter Programming Session And Erase    44 00 01 00 00 00 00 00 10
    ${max} =    Request Download    0x10000    16
    Should Be Equal As Integers    ${max}    0x402
    Transfer Data    01    00 11 22 33 44 55 66 77
    Transfer Data    02    88 99 AA BB CC DD EE FF
    Request Transfer Exit
    Start Routine    checkMemory    44 00 01 00 00 00 00 00 10 84 07 75 9B    expected_status=00

Download Steps Get Their Negative Responses
    [Documentation]    An address outside memory, a second download, a wrong counter, an early or extra exit.
    Enter Programming Session And Erase    44 00 01 00 00 00 00 00 10
    Request Download    0xFF000000    16    expected_nrc=requestOutOfRange
    Request Download    0x10000    16
    Request Download    0x10000    16    expected_nrc=conditionsNotCorrect
    Transfer Data    01    00 11 22 33 44 55 66 77
    Transfer Data    03    00    expected_nrc=wrongBlockSequenceCounter
    Request Transfer Exit    expected_nrc=requestSequenceError
    Transfer Data    02    88 99 AA BB CC DD EE FF
    Request Transfer Exit
    Transfer Data    03    00    expected_nrc=requestSequenceError


*** Keywords ***
Enter Programming Session And Erase
    [Documentation]    Extended, then programming session, level 11 unlocked, and the range of the
    ...    memory record (ALFID, address, size) erased.
    [Arguments]    ${memory_record}
    Change Session    extended
    Change Session    programming
    Unlock Security Level    11
    Start Routine    eraseMemory    ${memory_record}
