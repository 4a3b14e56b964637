<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>citygrid_desk</name>
    <message>
        <source>Shift review</source>
        <translation>班末审核</translation>
    </message>
    <message>
        <source>{count} items to decide</source>
        <translation>{count} 条待决定</translation>
    </message>
    <message>
        <source>Decision taken: {decision}</source>
        <translation>已决定：{decision}</translation>
    </message>
    <message>
        <source>{count} cases closed</source>
        <translation>已结案 {count} 件</translation>
    </message>
    <message>
        <source>Mark the selected devices' batches reviewed</source>
        <translation>将所选设备的批次标为已审核</translation>
    </message>
    <message>
        <source>All reasons</source>
        <translation>全部原因</translation>
    </message>
    <message>
        <source>Close all passed checks</source>
        <translation>核查通过的全部结案</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Needing a decision:</source>
        <translation>待决定：</translation>
    </message>
    <message>
        <source>Select an item to see its photos and its case's timeline.</source>
        <translation>选择一条查看其照片和案件处理过程。</translation>
    </message>
    <message>
        <source>Shift:</source>
        <translation>班次：</translation>
    </message>
    <message>
        <source>from</source>
        <translation>从</translation>
    </message>
    <message>
        <source>{kind} by {collector}, case {case}: {reasons}</source>
        <translation>{collector} 的{kind}，案件 {case}：{reasons}</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>被拒收</translation>
    </message>
    <message>
        <source>Task reassigned</source>
        <translation>任务已改派</translation>
    </message>
    <message>
        <source>Case already closed</source>
        <translation>案件已结束</translation>
    </message>
    <message>
        <source>Conflict</source>
        <translation>冲突</translation>
    </message>
    <message>
        <source>Late</source>
        <translation>超时</translation>
    </message>
    <message>
        <source>Photo without GPS</source>
        <translation>照片无 GPS</translation>
    </message>
    <message>
        <source>Photo far from the case</source>
        <translation>照片远离案件</translation>
    </message>
    <message>
        <source>Passed, awaiting closure</source>
        <translation>已通过，待结案</translation>
    </message>
    <message>
        <source>Pass and close</source>
        <translation>通过并结案</translation>
    </message>
    <message>
        <source>Rework</source>
        <translation>返工</translation>
    </message>
    <message>
        <source>Merge</source>
        <translation>合并</translation>
    </message>
    <message>
        <source>Set aside</source>
        <translation>搁置/丢弃</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Batches</source>
        <translation>批次数</translation>
    </message>
    <message>
        <source>Items</source>
        <translation>条目数</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>已接收</translation>
    </message>
    <message>
        <source>Duplicate</source>
        <translation>重复</translation>
    </message>
    <message>
        <source>Photos missing</source>
        <translation>缺照片</translation>
    </message>
    <message>
        <source>Reviewed</source>
        <translation>已审核</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Received at</source>
        <translation>接收时间</translation>
    </message>
    <message>
        <source>Reasons</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Current or last shift</source>
        <translation>当前或上一班次</translation>
    </message>
    <message>
        <source>Today's day shift</source>
        <translation>今天白班</translation>
    </message>
    <message>
        <source>Last 12 hours</source>
        <translation>最近 12 小时</translation>
    </message>
    <message>
        <source>Date and times</source>
        <translation>日期和时段</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>No</source>
        <translation>否</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>核查</translation>
    </message>
    <message>
        <source>Verification</source>
        <translation>核实</translation>
    </message>
    <message>
        <source>Disposal</source>
        <translation>处置</translation>
    </message>
    <message>
        <source>{done} of {count}</source>
        <translation>{count} 批中 {done} 批</translation>
    </message>
    <message>
        <source>Why is this item set aside? (required)</source>
        <translation>为什么搁置此条？（必填）</translation>
    </message>
    <message>
        <source>Case {case} repeats case {survivor}: void {case} and move its photos to {survivor}?</source>
        <translation>案件 {case} 与案件 {survivor} 重复：作废 {case} 并把它的照片并入 {survivor}？</translation>
    </message>
    <message>
        <source>Why does case {case} go back to its unit?</source>
        <translation>案件 {case} 为什么退回处置单位返工？</translation>
    </message>
    <message>
        <source>Close the {count} cases whose checks passed?</source>
        <translation>将核查通过的 {count} 件案件结案？</translation>
    </message>
    <message>
        <source>Export a device batch to a file</source>
        <translation>导出设备批次为文件</translation>
    </message>
    <message>
        <source>Writes the items waiting in a field app's outbox (its data folder, with field.db), or a folder with batch.json and the photos, as one batch file (.zip) that citygrid:import_batch pushes into a centre without a network.</source>
        <translation>把外业应用发件箱中待发送的条目（其数据文件夹，含 field.db），或含 batch.json 和照片的文件夹，写成一个批次文件（.zip），供 citygrid:import_batch 在无网络时导入中心。</translation>
    </message>
    <message>
        <source>Import a device batch file</source>
        <translation>导入设备批次文件</translation>
    </message>
    <message>
        <source>Pushes a batch file into the centre as its collector's device would: the same receipts and the same shift review as a batch sent over the network. Importing a file twice changes nothing (every receipt is then 'duplicate'). The receipts can be written to a file for the device.</source>
        <translation>像监督员的设备一样把批次文件推送进中心：回执和班末审核与联网发送的批次相同。同一文件导入两次不改变任何数据（回执均为“重复”）。回执可写入文件交给设备。</translation>
    </message>
    <message>
        <source>Field app data folder or batch folder</source>
        <translation>外业应用数据文件夹或批次文件夹</translation>
    </message>
    <message>
        <source>Batch file</source>
        <translation>批次文件</translation>
    </message>
    <message>
        <source>Batch file (*.zip)</source>
        <translation>批次文件 (*.zip)</translation>
    </message>
    <message>
        <source>Receipts</source>
        <translation>回执</translation>
    </message>
    <message>
        <source>Receipts (*.json)</source>
        <translation>回执 (*.json)</translation>
    </message>
    <message>
        <source>Batch</source>
        <translation>批次</translation>
    </message>
    <message>
        <source>{items} items, {photos} photos written to {file}</source>
        <translation>{items} 条、{photos} 张照片已写入 {file}</translation>
    </message>
    <message>
        <source>Batch {batch_id}: {counts}</source>
        <translation>批次 {batch_id}：{counts}</translation>
    </message>
</context>
</TS>
