# SPDX-License-Identifier: GPL-2.0-or-later
"""The desk's layer group: order, shipped styles, traffic light, value maps, who may edit; a render."""

import hashlib
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import centre_fixture
import pytest

from citygrid import demo, times
from citygrid.store import db

qgis_core = pytest.importorskip("qgis.core")
pytestmark = pytest.mark.qgis
from citygrid_desk import layers as desk_layers  # noqa: E402 (after the QGIS check)
from citygrid_desk import plugin as desk_plugin  # noqa: E402
from qgis.PyQt.QtCore import QCoreApplication, QSize, QTranslator  # noqa: E402
from qgis.PyQt.QtGui import QColor  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "test-artifacts"
I18N = ROOT / "qgis_plugin" / "citygrid_desk" / "i18n"


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "center.gpkg"
    demo.build(path, scale=demo.scale("small"), seed=1)
    return path


@pytest.fixture
def desk(qgis_iface, qgis_new_project):
    plugin = desk_plugin.CitygridDesk(qgis_iface)
    plugin.initGui()
    yield plugin
    plugin.unload()


def _open(desk, path, user="operator", password=centre_fixture.PASSWORD):
    assert desk.open_centre(path, user, password), "the centre did not open"
    return desk.session.layers


def _rule_labels(layer, parent=None):
    rule = parent or layer.renderer().rootRule()
    return [r.label() for r in rule.children()]


def _case_rows(path) -> str:
    """A digest of every row of cases and case_events (the sign-in itself writes login_attempts)."""
    conn = db.open_centre(path)
    rows = [tuple(r) for t in ("cases", "case_events") for r in conn.execute(f"SELECT * FROM {t} ORDER BY fid")]
    conn.close()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


# -- the group ----------------------------------------------------------------------------------

def test_the_group_holds_cases_components_grids_over_a_basemap_subgroup(desk, centre):
    layers = _open(desk, centre)
    children = desk.group.children()
    assert [c.layer() for c in children[:3]] == [layers["cases"], layers["components"], layers["grids"]]
    assert len(children) == 4 and children[3].name() == "Basemap"
    assert [n.layer() for n in children[3].children()] == [layers[t] for t in
                                                          ("basemap_roads", "basemap_water", "basemap_blocks")]
    assert set(layers) == set(desk_layers.TABLES)
    assert all(layer.customProperty(desk_layers.TABLE_PROPERTY) == table for table, layer in layers.items())


def test_every_shipped_style_loads_on_the_small_demo_without_error(demo_path):
    for table in desk_layers.TABLES:
        layer = qgis_core.QgsVectorLayer(f"{demo_path}|layername={table}", table, "ogr")
        message, ok = layer.loadNamedStyle(str(desk_layers.RESOURCES / f"{table}.qml"))
        assert ok, (table, message)
        assert layer.renderer() is not None and layer.featureCount() > 0, table


def _expressions(renderer):
    """Every expression of a renderer: rule filters, the category key, data-defined symbol properties."""
    out, symbols = [], list(renderer.symbols(qgis_core.QgsRenderContext()))
    if isinstance(renderer, qgis_core.QgsRuleBasedRenderer):
        out += [r.filterExpression() for r in renderer.rootRule().descendants() if r.filterExpression()
                and not r.isElse()]
    if isinstance(renderer, qgis_core.QgsCategorizedSymbolRenderer):
        out.append(renderer.classAttribute())
    for symbol in symbols:
        for layer in symbol.symbolLayers():
            props = layer.dataDefinedProperties()
            out += [props.property(k).expressionString() for k in props.propertyKeys()
                    if props.property(k).propertyType() == qgis_core.QgsProperty.ExpressionBasedProperty]
    return out


def test_every_expression_in_the_shipped_styles_parses(demo_path):
    count = 0
    for table in desk_layers.TABLES:
        layer = qgis_core.QgsVectorLayer(f"{demo_path}|layername={table}", table, "ogr")
        layer.loadNamedStyle(str(desk_layers.RESOURCES / f"{table}.qml"))
        for text in _expressions(layer.renderer()):
            expression = qgis_core.QgsExpression(text)
            assert not expression.hasParserError(), (table, text, expression.parserErrorString())
            count += 1
    assert count > 20


def test_no_shipped_style_makes_qgis_read_every_column(demo_path):
    """A style that references all attributes (with_variable() does in 3.22) reads every DATETIME of
    every drawn case: on the city that made a street's render 5x slower."""
    context = qgis_core.QgsRenderContext()
    for scale in (1_000, 100_000):
        context.setRendererScale(scale)
        for table in desk_layers.TABLES:
            layer = qgis_core.QgsVectorLayer(f"{demo_path}|layername={table}", table, "ogr")
            layer.loadNamedStyle(str(desk_layers.RESOURCES / f"{table}.qml"))
            used = layer.renderer().usedAttributes(context)
            assert qgis_core.QgsFeatureRequest.ALL_ATTRIBUTES not in used, (table, scale)


def test_a_missing_style_is_a_coded_problem(tmp_path, centre, monkeypatch):
    monkeypatch.setattr(desk_layers, "RESOURCES", tmp_path)
    layer = qgis_core.QgsVectorLayer(f"{centre}|layername=grids", "grids", "ogr")
    with pytest.raises(desk_layers.Problem) as err:
        desk_layers.load_style(layer, "grids")
    assert err.value.code == "desk.style_failed" and err.value.details["table"] == "grids"


def test_cases_are_ruled_by_status_group_then_traffic_light(desk, centre):
    cases = _open(desk, centre)["cases"]
    assert isinstance(cases.renderer(), qgis_core.QgsRuleBasedRenderer)
    groups = cases.renderer().rootRule().children()
    assert _rule_labels(cases) == ["Reported, verifying, to register", "Registered, to dispatch",
                                   "Dispatched, being handled", "Handled, to check and close", "Parked", "History"]
    for group in groups[:4]:
        assert [r.label() for r in group.children()] == ["no time limit", "overdue", "due soon", "on time"]
    assert [r.label() for r in groups[5].children()] == ["Closed", "Voided, not registered"]


def _category_of(layer, feature):
    context = qgis_core.QgsRenderContext()
    context.setExpressionContext(qgis_core.QgsExpressionContext(
        qgis_core.QgsExpressionContextUtils.globalProjectLayerScopes(layer)))
    renderer = layer.renderer().clone()
    renderer.startRender(context, layer.fields())
    context.expressionContext().setFeature(feature)
    symbol = renderer.symbolForFeature(feature, context)
    label = next((c.label() for c in renderer.categories() if c.symbol().dump() == symbol.dump()), None)
    renderer.stopRender(context)
    return label


def test_components_are_categorised_by_major_class_named_from_the_centre_with_state(desk, demo_path):
    components = _open(desk, demo_path, "operator", "citygrid-demo")["components"]
    assert isinstance(components.renderer(), qgis_core.QgsCategorizedSymbolRenderer)
    labels = [c.label() for c in components.renderer().categories()]
    assert labels[:2] == ["01 公用设施", "02 道路交通"]
    assert labels[-3:] == ["Damaged", "Lost, scrapped or removed", "Other classes"]
    by_state = {}
    for feature in components.getFeatures():
        by_state.setdefault((feature["ObjState"], feature["ObjID"][6:8]), feature)
    assert _category_of(components, by_state[("完好", "01")]) == "01 公用设施"
    assert _category_of(components, by_state[("破损", "02")]) == "Damaged"
    assert _category_of(components, by_state[("移除", "03")]) == "Lost, scrapped or removed"


def test_components_and_closed_cases_do_not_draw_at_city_scale(desk, centre):
    layers = _open(desk, centre)
    components = layers["components"]
    assert components.hasScaleBasedVisibility() and 0 < components.minimumScale() <= 10_000
    assert components.isInScaleRange(5_000) and not components.isInScaleRange(50_000)
    by_label = {r.label(): r for r in layers["cases"].renderer().rootRule().children()}
    assert 0 < by_label["History"].minimumScale() <= 5_000 and by_label["History"].isElse()
    assert by_label["Dispatched, being handled"].minimumScale() == 0  # open cases show at every scale


def test_grids_are_outlines_labelled_with_their_codes_only_close_up(desk, centre):
    grids = _open(desk, centre)["grids"]
    assert grids.renderer().symbol().symbolLayer(0).brushStyle() == 0  # Qt.NoBrush
    assert grids.labelsEnabled()
    settings = grids.labeling().settings()
    assert settings.fieldName == "code" and settings.scaleVisibility and 0 < settings.minimumScale <= 20_000


# -- the traffic light --------------------------------------------------------------------------

def _case_due(conn, case_no, start, due):
    """Test set-up: the dispatched case's step runs from `start` to `due`."""
    conn.execute("UPDATE cases SET dispatched_at = ?, deadline_at = ? WHERE case_no = ?",
                 (times.to_db(start), times.to_db(due), case_no))


def _light_of(layer, feature):
    context = qgis_core.QgsRenderContext()
    context.setExpressionContext(qgis_core.QgsExpressionContext(
        qgis_core.QgsExpressionContextUtils.globalProjectLayerScopes(layer)))
    renderer = layer.renderer().clone()
    renderer.startRender(context, layer.fields())
    context.expressionContext().setFeature(feature)
    keys = renderer.legendKeysForFeature(feature, context)
    labels = [renderer.rootRule().findRuleByKey(k).label() for k in keys]
    renderer.stopRender(context)
    return [label for label in labels if label in ("overdue", "due soon", "on time", "no time limit")]


def test_the_case_light_is_red_past_due_yellow_from_80_percent_else_green(desk, centre):
    conn = db.open_centre(centre)
    now = datetime.now(UTC)
    plan = {"overdue": (now - timedelta(hours=10), now - timedelta(minutes=5)),
            "due soon": (now - timedelta(hours=9), now + timedelta(hours=1)),
            "on time": (now - timedelta(hours=1), now + timedelta(hours=9))}
    numbers = {}
    for light, (start, due) in plan.items():
        numbers[light] = centre_fixture.case_at(conn, "dispatched")
        _case_due(conn, numbers[light], start, due)
    conn.close()
    cases = _open(desk, centre)["cases"]
    for light, case_no in numbers.items():
        feature = next(cases.getFeatures(f"\"case_no\" = '{case_no}'"))
        assert _light_of(cases, feature) == [light], case_no


def test_a_registered_case_turns_yellow_in_the_last_fifth_of_its_step_limit(desk, centre):
    conn = db.open_centre(centre)
    now = datetime.now(UTC)
    plan = {"overdue": now - timedelta(minutes=1), "due soon": now + timedelta(minutes=4),
            "on time": now + timedelta(minutes=20)}  # the default limit of registered: 0.5 working hours
    numbers = {}
    for light, due in plan.items():
        numbers[light] = centre_fixture.case_at(conn, "registered")
        conn.execute("UPDATE cases SET step_due_at = ? WHERE case_no = ?", (times.to_db(due), numbers[light]))
    conn.close()
    cases = _open(desk, centre)["cases"]
    for light, case_no in numbers.items():
        feature = next(cases.getFeatures(f"\"case_no\" = '{case_no}'"))
        assert _light_of(cases, feature) == [light], case_no


# -- forms and edits ----------------------------------------------------------------------------

def _value_map(layer, field):
    setup = layer.editorWidgetSetup(layer.fields().indexOf(field))
    assert setup.type() == "ValueMap", field
    return {value: label for entry in setup.config()["map"] for label, value in entry.items()}


def test_case_and_component_fields_have_value_maps_from_the_dictionaries(desk, centre):
    layers = _open(desk, centre)
    cases = layers["cases"]
    assert _value_map(cases, "status")["dispatched"] == "Dispatched, in disposal"  # the case desk's words
    assert _value_map(cases, "source")["hotline"] == "Hotline"
    assert _value_map(cases, "kind") == {"component": "Component", "event": "Event"}
    assert _value_map(cases, "unit_code") == {"SW": "市水务局", "HW": "环卫处", "PJ": "平江街道办事处"}
    assert "/" in _value_map(cases, "class_code")["0102"]
    assert _value_map(layers["components"], "ObjState")["丢失"] == "Lost"


@pytest.fixture
def chinese(tmp_path, monkeypatch):
    """The desk's translations installed (built with lrelease) and QGIS's locale zh_CN."""
    tool = shutil.which("lrelease") or shutil.which("lrelease-qt5")
    if tool is None:
        pytest.skip("lrelease is missing (Debian: qttools5-dev-tools)")
    qm = tmp_path / "citygrid_desk_zh_CN.qm"
    subprocess.run([tool, "-silent", *map(str, sorted((I18N / "zh_CN").glob("*.ts"))), "-qm", str(qm)], check=True)
    translator = QTranslator()
    assert translator.load(str(qm))
    QCoreApplication.installTranslator(translator)
    monkeypatch.setattr(qgis_core.QgsApplication, "locale", staticmethod(lambda: "zh_CN"))
    yield
    QCoreApplication.removeTranslator(translator)


def test_under_zh_cn_value_maps_layer_names_and_legends_are_chinese(chinese, desk, centre):
    layers = _open(desk, centre)
    assert _value_map(layers["cases"], "status")["dispatched"] == "已派遣，处置中"
    assert _value_map(layers["components"], "ObjState")["丢失"] == "丢失"
    assert layers["cases"].name() == "案件" and desk.group.children()[3].name() == "底图"
    assert _rule_labels(layers["cases"])[2] == "已派遣、处置中"


def test_workflow_fields_are_read_only_in_the_case_form(desk, centre):
    cases = _open(desk, centre)["cases"]
    config = cases.editFormConfig()
    read_only = {f.name(): config.readOnly(i) for i, f in enumerate(cases.fields())}
    assert read_only["status"] and read_only["deadline_at"] and read_only["unit_code"]
    assert not read_only["description"] and not read_only["address"]


@pytest.mark.parametrize("role", ["operator", "leader", "dispatcher", "gis"])
def test_the_cases_layer_is_read_only_for_every_role(desk, centre, role):
    cases = _open(desk, centre, role)["cases"]
    assert cases.readOnly() and not cases.startEditing()


def test_grids_and_components_are_editable_for_the_gis_role_only(desk, centre):
    layers = _open(desk, centre, "gis")
    assert not layers["grids"].readOnly() and not layers["components"].readOnly()
    desk.close_centre()
    layers = _open(desk, centre, "operator")
    assert all(layers[t].readOnly() for t in desk_layers.TABLES)


def test_closing_the_centre_leaves_cases_read_only_and_gives_the_rest_back(desk, centre):
    layers = _open(desk, centre, "operator")
    desk.close_centre()
    assert layers["cases"].readOnly()
    assert not any(layers[t].readOnly() for t in desk_layers.TABLES if t != "cases")


def test_a_refused_case_edit_leaves_the_file_unchanged(desk, centre):
    conn = db.open_centre(centre)
    case_no = centre_fixture.case_at(conn, "dispatched")
    conn.close()
    before = _case_rows(centre)
    cases = _open(desk, centre)["cases"]
    feature = next(cases.getFeatures(f"\"case_no\" = '{case_no}'"))
    status = cases.fields().indexOf("status")
    assert not cases.startEditing()
    assert not cases.changeAttributeValue(feature.id(), status, "closed")
    assert not cases.commitChanges()
    desk.close_centre()
    assert _case_rows(centre) == before


# -- a picture ----------------------------------------------------------------------------------

def test_the_small_demo_renders_offscreen_with_the_desks_styles(desk, demo_path):
    layers = _open(desk, demo_path, "operator", "citygrid-demo")
    order = [layers[t] for t in desk_layers.TABLES]
    settings = qgis_core.QgsMapSettings()
    settings.setLayers(order)
    settings.setDestinationCrs(layers["grids"].crs())
    settings.setOutputSize(QSize(1600, 1000))
    settings.setBackgroundColor(QColor("#ffffff"))
    extent = layers["grids"].extent()
    extent.scale(1.05)
    settings.setExtent(extent)
    job = qgis_core.QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    assert not job.errors(), [e.message for e in job.errors()]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    image = job.renderedImage()
    assert image.save(str(ARTIFACTS / "desk-layers.png"))
    colours = {image.pixel(x, y) for x in range(0, 1600, 40) for y in range(0, 1000, 40)}
    assert len(colours) > 3  # not a blank map
