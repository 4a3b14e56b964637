<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>citygrid_desk</name>
    <message>
        <source>Edit components</source>
        <translation>编辑部件</translation>
    </message>
    <message>
        <source>Import into the centre…</source>
        <translation>导入到中心…</translation>
    </message>
    <message>
        <source>Import into the centre</source>
        <translation>导入到中心</translation>
    </message>
    <message>
        <source>Components</source>
        <translation>部件</translation>
    </message>
    <message>
        <source>Grids</source>
        <translation>单元网格</translation>
    </message>
    <message>
        <source>Saved: the centre set the codes, grids and dates.</source>
        <translation>已保存：标识码、所在网格和日期由中心设定。</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>图层</translation>
    </message>
    <message>
        <source>Import as</source>
        <translation>导入为</translation>
    </message>
    <message>
        <source>Replace the rows the centre already has (same code or ObjID)</source>
        <translation>替换中心已有的记录（编码或标识码相同）</translation>
    </message>
    <message>
        <source>Validate</source>
        <translation>校验</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <source>Cancel import</source>
        <translation>取消导入</translation>
    </message>
    <message>
        <source>Validating {layer}</source>
        <translation>正在校验 {layer}</translation>
    </message>
    <message>
        <source>Importing {layer}</source>
        <translation>正在导入 {layer}</translation>
    </message>
    <message>
        <source>{bad} of {total} rows are bad: nothing will be written. Correct them and validate again.</source>
        <translation>共 {total} 行，其中 {bad} 行有误：不会写入任何数据。请更正后重新校验。</translation>
    </message>
    <message>
        <source>All {total} rows are valid. Import them into the centre.</source>
        <translation>全部 {total} 行校验通过，可以导入到中心。</translation>
    </message>
    <message>
        <source>{bad} rows are bad now: nothing was written.</source>
        <translation>现有 {bad} 行有误：未写入任何数据。</translation>
    </message>
    <message>
        <source>Imported: {inserted} new, {updated} replaced, {unchanged} unchanged.</source>
        <translation>已导入：新增 {inserted} 条，替换 {updated} 条，未变 {unchanged} 条。</translation>
    </message>
    <message>
        <source>Centre field</source>
        <translation>中心字段</translation>
    </message>
    <message>
        <source>Required</source>
        <translation>必填</translation>
    </message>
    <message>
        <source>Source field</source>
        <translation>来源字段</translation>
    </message>
    <message>
        <source>required</source>
        <translation>必填</translation>
    </message>
    <message>
        <source>one of these</source>
        <translation>三者选一</translation>
    </message>
    <message>
        <source>(not imported)</source>
        <translation>（不导入）</translation>
    </message>
    <message>
        <source>Row</source>
        <translation>行</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>grid code</source>
        <translation>单元网格编码</translation>
    </message>
    <message>
        <source>name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>street code</source>
        <translation>街道编码</translation>
    </message>
    <message>
        <source>community code</source>
        <translation>社区编码</translation>
    </message>
    <message>
        <source>component code</source>
        <translation>部件标识码</translation>
    </message>
    <message>
        <source>class code</source>
        <translation>部件小类代码</translation>
    </message>
    <message>
        <source>component name</source>
        <translation>部件名称</translation>
    </message>
    <message>
        <source>competent department code</source>
        <translation>主管部门代码</translation>
    </message>
    <message>
        <source>competent department</source>
        <translation>主管部门名称</translation>
    </message>
    <message>
        <source>owner code</source>
        <translation>权属单位代码</translation>
    </message>
    <message>
        <source>owner</source>
        <translation>权属单位名称</translation>
    </message>
    <message>
        <source>maintainer code</source>
        <translation>养护单位代码</translation>
    </message>
    <message>
        <source>maintainer</source>
        <translation>养护单位名称</translation>
    </message>
    <message>
        <source>state</source>
        <translation>部件状态</translation>
    </message>
    <message>
        <source>first survey date</source>
        <translation>初始日期</translation>
    </message>
    <message>
        <source>change date</source>
        <translation>变更日期</translation>
    </message>
    <message>
        <source>data source</source>
        <translation>数据来源</translation>
    </message>
    <message>
        <source>note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
</context>
</TS>
